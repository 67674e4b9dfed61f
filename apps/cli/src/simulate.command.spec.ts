import { UsageError } from './args';
import { parseEffacementOption } from './simulate.command';

describe('ilot simulate --effacement', () => {
  it('reads an order', () => {
    expect(parseEffacementOption('order-1,2026-01-15T16:00:00Z,2026-01-15T18:00:00Z,60000')).toEqual({
      id: 'order-1',
      start: new Date('2026-01-15T16:00:00Z'),
      end: new Date('2026-01-15T18:00:00Z'),
      reductionW: 60_000,
    });
  });

  it.each([
    ['order-1,2026-01-15T16:00:00Z,60000', 'expected ID,START,END,REDUCTION_W'],
    ['order 1,2026-01-15T16:00:00Z,2026-01-15T18:00:00Z,60000', 'the id may hold letters, digits and . _ : - only'],
    ['o,2026-01-15T16:05:00Z,2026-01-15T18:00:00Z,60000', 'START must be an ISO instant on a quarter-hour'],
    ['o,2026-01-15T16:00:00Z,tomorrow,60000', 'END must be an ISO instant on a quarter-hour'],
    ['o,2026-01-15T18:00:00Z,2026-01-15T16:00:00Z,60000', 'END must be after START'],
    ['o,2026-01-15T16:00:00Z,2026-01-15T18:00:00Z,-5', 'REDUCTION_W must be a positive power, W'],
  ])('refuses "%s" with the reason', (text, reason) => {
    expect(() => parseEffacementOption(text)).toThrow(UsageError);
    expect(() => parseEffacementOption(text)).toThrow(`--effacement "${text}": ${reason}`);
  });
});
