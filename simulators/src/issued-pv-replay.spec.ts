import type { IssuedPvForecast } from '@ilot/forecasting';
import { loadSolver } from '@ilot/optimiser';
import { loadSiteFile } from '@ilot/site';
import { join } from 'node:path';
import { replay } from './closed-loop';
import { ProfileTable } from './profile-table';

const site = loadSiteFile(join(__dirname, '..', '..', 'sites', 'demo.yaml'));
const profiles = ProfileTable.load();
const day = Date.parse('2026-06-17T00:00:00Z');
const options = { start: new Date(day), days: 1, replanMinutes: 60 };

/** A site-wide issue, hourly over [fromH, toH) of the replayed day, at `pvW`. */
const issue = (issuedAtMs: number, fromH: number, toH: number, pvW: number): IssuedPvForecast => ({
  issuedAt: new Date(issuedAtMs),
  points: Array.from({ length: toH - fromH }, (_, k) => ({
    deviceId: '',
    at: new Date(day + (fromH + k) * 3_600_000),
    pvW,
  })),
});

// Issue 27 §1: the replay plans with PV forecasts as they were issued, never one issued after the plan.
describe('the replay with issued PV forecasts (ilot simulate --pv-forecast)', () => {
  it('plans with the issue out at each plan, says how many slots it covered, and the forecast changes the plan', async () => {
    const solver = await loadSolver('highs');
    // Issued the day before at 10:00: no sun at all (a forecast wrong on purpose); at 12:00 the same day, a revision.
    const issues = [issue(day - 14 * 3_600_000, 0, 24, 0), issue(day + 12 * 3_600_000, 12, 24, 0)];
    const own = replay(site, profiles, 'optimised', { ...options, solver });
    const issued = replay(site, profiles, 'optimised', { ...options, solver, issuedPvForecasts: issues });
    const late = replay(site, profiles, 'optimised', {
      ...options,
      solver,
      // Issued after the whole day: never seen by a plan of it.
      issuedPvForecasts: [issue(day + 25 * 3_600_000, 0, 24, 0)],
    });
    // A plan every hour from 01:00 (the first step has no reading yet), 96 slots each: the day's remaining slots from
    // the issues, the rest of each horizon (tomorrow) the planner's own.
    const hours = Array.from({ length: 23 }, (_, k) => k + 1);
    expect(issued.plans).toBe(hours.length);
    expect(issued.pvSlots!.issued + issued.pvSlots!.own).toBe(hours.length * 96);
    expect(issued.pvSlots!.issued).toBe(hours.reduce((sum, h) => sum + (24 - h) * 4, 0));
    expect(late.pvSlots).toEqual({ issued: 0, own: hours.length * 96 });
    expect(own.pvSlots).toBeUndefined();
    // A forecast of no sun changes what the battery is asked to do; one issued too late changes nothing.
    expect(issued.costNetOfStorageEur).not.toBeCloseTo(own.costNetOfStorageEur, 2);
    expect(late.costNetOfStorageEur).toBeCloseTo(own.costNetOfStorageEur, 6);
  }, 120_000);
});
