import { DAY_MS } from '@ilot/domain';
import { MIN_ERROR_SAMPLES, profileErrorQuantiles, quantileOfSorted } from './forecast-quantiles';

const start = Date.parse('2026-03-02T00:00:00Z'); // a Monday
const hourly = (days: number, powerW: (day: number, hour: number) => number) =>
  Array.from({ length: days * 24 }, (_, k) => ({
    at: new Date(start + k * 3_600_000),
    powerW: powerW(Math.floor(k / 24), k % 24),
  }));
const slotStarts = [new Date(start + 7 * DAY_MS), new Date(start + 7 * DAY_MS + 12 * 3_600_000)];

describe('profileErrorQuantiles: the measured error of the day-ahead profile, per slot', () => {
  it('is zero where every day is the same (no error to hold a reserve against)', () => {
    const q = profileErrorQuantiles({ history: hourly(7, (_d, h) => 1000 + 100 * h), slotStarts }, [0.1, 0.9]);
    expect(q!.get(0.1)).toEqual([0, 0]);
    expect(q!.get(0.9)).toEqual([0, 0]);
  });

  it('spreads like the days do: days at 1000 W and one at 4000 W give a P90 far above and a P10 below', () => {
    // Day 3 is 3 kW above the others all day: against the other six it errs +3000 W; each other day errs -500 W.
    const q = profileErrorQuantiles(
      { history: hourly(7, (d) => (d === 3 ? 4000 : 1000)), slotStarts },
      [0.1, 0.5, 0.99],
    )!;
    expect(q.get(0.1)![0]).toBeCloseTo(-500, 6);
    expect(q.get(0.5)![0]).toBeCloseTo(-500, 6);
    expect(q.get(0.99)![0]).toBeGreaterThan(2000);
  });

  it('pools errors by time of day: an evening that varies does not widen the night', () => {
    const q = profileErrorQuantiles(
      {
        history: hourly(7, (d, h) => (h >= 18 && h <= 20 ? 1000 * (d + 1) : 500)),
        slotStarts,
        windowMs: 2 * 3_600_000,
      },
      [0.9],
    )!;
    expect(q.get(0.9)![0]).toBe(0); // midnight: every night alike
    const evening = profileErrorQuantiles(
      {
        history: hourly(7, (d, h) => (h >= 18 && h <= 20 ? 1000 * (d + 1) : 500)),
        slotStarts: [new Date(start + 7 * DAY_MS + 19 * 3_600_000)],
      },
      [0.9],
    )!;
    expect(evening.get(0.9)![0]).toBeGreaterThan(1000);
  });

  it('compares a day only with days of its kind (weekends apart), and says nothing without enough comparable days', () => {
    const weekendKind = (at: Date) => ([0, 6].includes(at.getUTCDay()) ? 'weekend' : 'weekday');
    // Weekdays all at 2000 W, weekends all at 500 W: no error within each kind.
    const q = profileErrorQuantiles(
      { history: hourly(7, (d) => (d >= 5 ? 500 : 2000)), slotStarts, dayKind: weekendKind },
      [0.9],
    );
    expect(q!.get(0.9)).toEqual([0, 0]);
    expect(profileErrorQuantiles({ history: hourly(1, () => 1000), slotStarts }, [0.9])).toBeUndefined();
    expect(MIN_ERROR_SAMPLES).toBeGreaterThan(1);
  });
});

describe('quantileOfSorted', () => {
  it.each([
    [[1, 2, 3, 4, 5], 0, 1],
    [[1, 2, 3, 4, 5], 0.5, 3],
    [[1, 2, 3, 4, 5], 1, 5],
    [[0, 10], 0.9, 9],
    [[7], 0.3, 7],
  ])('of %j at %d is %d', (sorted, p, expected) => expect(quantileOfSorted(sorted, p)).toBeCloseTo(expected, 9));
  it('is NaN for no values', () => expect(quantileOfSorted([], 0.5)).toBeNaN());
});
