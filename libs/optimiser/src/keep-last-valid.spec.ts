import { fallbackSchedule } from './fallback-schedule';
import { JavascriptLpSolverAdapter } from './javascript-lp-solver.adapter';
import { keepLastValid, plan } from './plan';
import { battery, planInput } from './testing/plan-input.factory';

describe('keepLastValid', () => {
  const now = new Date('2026-01-15T00:00:00Z');
  const input = planInput({ consumptionW: Array.from({ length: 8 }, () => 50_000), batteries: [battery()], now });
  const valid = plan(input, new JavascriptLpSolverAdapter()).schedule;
  const minutes = (m: number) => new Date(now.getTime() + m * 60_000);
  const failed = (at: Date) => fallbackSchedule({ ...input, now: at }, 'highs: timeout');

  it('keeps a fresh optimal plan as it is', () => {
    expect(keepLastValid(undefined, valid, now, 3_600_000)).toEqual({ schedule: valid, kept: false });
  });

  it('goes on with the last valid plan, from the current slot, when the solver gave none, and says so', () => {
    const { schedule, kept } = keepLastValid(valid, failed(minutes(20)), minutes(20), 3_600_000);
    expect(kept).toBe(true);
    expect(schedule.status).toBe('feasible');
    expect(schedule.reason).toBe(`kept the plan of ${now.toISOString()}: highs: timeout`);
    // 00:15-00:30 is the current slot at 00:20: the first one kept.
    expect(schedule.slots[0].start).toBe(minutes(15).toISOString());
    expect(schedule.slots).toHaveLength(7);
  });

  it('falls back to the rule once the last valid plan is older than the keep time, or has no slot left', () => {
    expect(keepLastValid(valid, failed(minutes(61)), minutes(61), 3_600_000).schedule.status).toBe('fallback');
    expect(keepLastValid(valid, failed(minutes(130)), minutes(130), 86_400_000).schedule.status).toBe('fallback');
  });

  it('never keeps a fallback plan', () => {
    const old = failed(now);
    expect(keepLastValid(old, failed(minutes(5)), minutes(5), 3_600_000).kept).toBe(false);
  });
});
