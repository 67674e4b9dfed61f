import { loadSolver } from '@ilot/optimiser';
import { loadSiteFile } from '@ilot/site';
import { join } from 'node:path';
import { replay } from './closed-loop';
import { endOfPeriodValue, perfectForesightPlan } from './perfect-foresight';
import { PLAN_DEFAULTS } from '@ilot/optimiser';
import { ProfileTable } from './profile-table';
import type { BatteryStrategy } from './replay-types';

const root = join(__dirname, '..', '..');
const profiles = ProfileTable.load();

/**
 * Issue 27 §6: the perfect-foresight bound must be a bound. Tried on a six-building Lyon îlot of an operator's (Tempo,
 * two batteries, chargers, heat pumps; test/fixtures/sites/lyon-six.yaml, not the demo the code was written around),
 * the optimiser beat its "bound" and the controllers' rule beat the optimiser in a summer week.
 */
describe('the replay bound (perfect foresight)', () => {
  it('regression: its world follows its plan from the first step (left on the rule for it, the battery drifted 4.7 kWh)', async () => {
    const site = loadSiteFile(join(root, 'sites', 'demo.yaml'));
    const solver = await loadSolver('highs');
    const start = new Date('2026-01-14T00:00:00Z');
    const { schedule } = perfectForesightPlan(site, profiles, { start, days: 1, stepMinutes: 5, solver });
    const kpis = replay(site, profiles, 'perfect-foresight', { start, days: 1, solver });
    const planned = new Map(schedule.slots.map((s) => [Date.parse(s.start), s.gridW]));
    const gaps = kpis.trace.map((slot) => {
      const meanW = [0, 1, 2].reduce((sum, k) => sum + planned.get(slot.startMs + k * 300_000)!, 0) / 3;
      return Math.abs(slot.gridW - meanW);
    });
    expect(gaps).toHaveLength(96);
    expect(Math.max(...gaps)).toBeLessThan(50);
  }, 60_000);

  // Issue 27 §2: the replay valued energy left at the end at the cheapest import x the discharge efficiency, below what
  // refilling it costs: the bound emptied its batteries into the week's last peaks (105 -> 20 kWh in January 2019) and
  // the planner, which keeps that energy for the next day as ADR 0009 says, lost 6 points of the saving for it.
  it.each([
    // The day after a January week (Monday 19th): the grid refills at least a third of the battery.
    ['winter', '2026-01-12T00:00:00Z', 'grid'],
    // The day after a June week (Monday 22nd): its PV surplus refills at least half.
    ['summer', '2026-06-15T00:00:00Z', 'pv'],
  ] as const)(
    "values the energy left at the end of a %s week as the live planner values its horizon's end: at its refill cost",
    (_, iso, mostly) => {
      const site = loadSiteFile(join(root, 'sites', 'demo.yaml'));
      const segments = endOfPeriodValue(site, profiles, { start: new Date(iso), days: 7, stepMinutes: 5 });
      for (const battery of site.devices.values()) {
        if (battery.kind !== 'battery') continue;
        const usableKWh = ((battery.maxSocPct - battery.minSocPct) / 100) * (battery.capacityWh / 1000);
        // Refilled from the grid at its cheapest import (HC, 0.2068 EUR/kWh), or by a PV surplus at the feed-in (0.10),
        // plus the wear, through the charging efficiency: the grid's part the most valuable (spent last).
        const refill = { grid: 0.2068, pv: 0.1 };
        const price = (source: 'grid' | 'pv') =>
          Math.round(((refill[source] + PLAN_DEFAULTS.cyclingCostEurPerKWh) / battery.chargeEfficiency) * 1e6) / 1e6;
        const kWhAt = (source: 'grid' | 'pv') =>
          segments[battery.id]
            .filter((s) => Math.round(s.eurPerKWh * 1e6) / 1e6 === price(source))
            .reduce((sum, s) => sum + s.kWh, 0);
        expect(segments[battery.id].map((s) => s.eurPerKWh)).toEqual(
          [...segments[battery.id].map((s) => s.eurPerKWh)].sort((a, b) => b - a),
        );
        expect(kWhAt('grid') + kWhAt('pv')).toBeCloseTo(usableKWh, 6);
        expect(kWhAt(mostly)).toBeGreaterThan(usableKWh / (mostly === 'grid' ? 3 : 2));
      }
    },
  );

  it('regression: the bound keeps a winter battery for the day after rather than empty it before the end', async () => {
    const site = loadSiteFile(join(root, 'sites', 'demo.yaml'));
    const solver = await loadSolver('highs');
    const kpis = replay(site, profiles, 'perfect-foresight', {
      start: new Date('2026-01-16T00:00:00Z'),
      days: 3,
      solver,
    });
    // Before: emptied to its floor (105 -> 20 kWh) for energy the replay valued below its refill; now 105 -> 96.5.
    expect(kpis.storedEndKWh).toBeGreaterThan(0.75 * kpis.storedStartKWh);
  }, 60_000);

  it.each([
    ['a winter day', '2026-01-14T00:00:00Z'],
    ['a summer day', '2026-07-15T00:00:00Z'],
  ])(
    'is never beaten on the Lyon îlot, and the optimiser beats the rule there: %s',
    async (_, iso) => {
      const site = loadSiteFile(join(root, 'test', 'fixtures', 'sites', 'lyon-six.yaml'));
      const solver = await loadSolver('highs');
      const run = (strategy: BatteryStrategy) =>
        // Re-planned every 15 min rather than 5 (a bound holds whatever the cadence): a third of the solves.
        replay(site, profiles, strategy, { start: new Date(iso), days: 1, solver, replanMinutes: 15 })
          .costNetOfStorageEur;
      const boundEur = run('perfect-foresight');
      const costs = Object.fromEntries(
        (['optimised', 'oracle-forecast', 'self-consumption', 'idle'] as const).map((s) => [s, run(s)]),
      );
      for (const [strategy, eur] of Object.entries(costs))
        expect({ strategy, aboveBound: eur >= boundEur - 0.01 }).toEqual({ strategy, aboveBound: true });
      expect(costs.optimised).toBeLessThan(costs['self-consumption']);
    },
    180_000,
  );
});
