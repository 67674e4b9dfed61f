import { parseTempoCalendar, TEMPO_RULES } from '@ilot/tariffs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe("the shipped Tempo calendar (simulators/tempo, RTE's colours)", () => {
  const parsed = parseTempoCalendar(readFileSync(join(__dirname, '..', 'tempo', 'rte-tempo-2014-2023.csv'), 'utf8'));

  it('reads whole, every day from 2014-09-01 to 2023-08-03', () => {
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const dates = [...parsed.colours.keys()];
    expect([dates[0], dates.at(-1), dates.length]).toEqual(['2014-09-01', '2023-08-03', 3259]);
  });

  // 2019-2020 (47 white, 18 red) and 2021-2022 (42 white) are as the file has them (see its README).
  it.each([2014, 2015, 2016, 2017, 2018, 2020])(
    'Tempo year %i has the published counts: 22 red on winter weekdays, 43 white, never on a Sunday',
    (year) => {
      if (!parsed.ok) throw new Error('unreadable');
      const ofYear = [...parsed.colours].filter(([d]) => d >= `${year}-09-01` && d < `${year + 1}-09-01`);
      const red = ofYear.filter(([, c]) => c === 'red').map(([d]) => d);
      const white = ofYear.filter(([, c]) => c === 'white').map(([d]) => d);
      const weekday = (d: string) => new Date(`${d}T00:00:00Z`).getUTCDay();
      expect([red.length, white.length]).toEqual([TEMPO_RULES.redDays, TEMPO_RULES.whiteDays]);
      expect(red.every((d) => weekday(d) !== 0 && weekday(d) !== 6)).toBe(true);
      expect(white.every((d) => weekday(d) !== 0)).toBe(true);
    },
  );
});
