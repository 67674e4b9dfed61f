import { WindowOverrun } from './window-overrun';

describe('WindowOverrun', () => {
  it.each([
    ['within the window: nothing', [10, 2000, 1500], []],
    [
      'above then back under half: one start, one end with the peak',
      [1999, 2001, 2300, 900],
      ['started 2001', 'ended at peak 2300'],
    ],
    // Regression: hovering around the window gave one warning per crossing.
    [
      'hovering around the window: one episode',
      [2001, 2000, 2001, 1999, 2001, 1200, 2001, 1000],
      ['started 2001', 'ended at peak 2001'],
    ],
    [
      'two episodes apart',
      [2500, 100, 2100, 50],
      ['started 2500', 'ended at peak 2500', 'started 2100', 'ended at peak 2100'],
    ],
  ])('%s', (_, counts, expected) => {
    const watch = new WindowOverrun(2000);
    const said = counts.flatMap((held) => {
      const change = watch.observe(held);
      if (!change) return [];
      return 'started' in change ? [`started ${change.started}`] : [`ended at peak ${change.ended.peak}`];
    });
    expect(said).toEqual(expected);
  });
});
