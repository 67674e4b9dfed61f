import { HighsSolverAdapter } from '@ilot/optimiser';
import { loadSiteFile } from '@ilot/site';
import { join } from 'node:path';
import { EffacementOutcome, replay, ReplayKpis } from './closed-loop';
import { ProfileTable } from './profile-table';

const site = loadSiteFile(join(__dirname, '..', '..', 'sites', 'demo.yaml'));
const profiles = ProfileTable.load();

/**
 * An aggregator's order on the demo îlot, on a January weekday evening (17:00-19:00 Paris), replayed on the
 * real profiles: two weeks on the controllers' own rule first (the history the reference is made from),
 * then the planner, its battery and load commands, and the world obeying them.
 */
function orderOf(reductionW: number) {
  return { id: `order-${reductionW / 1000}kw`, start: new Date('2026-01-15T16:00:00Z'), end: new Date('2026-01-15T18:00:00Z'), reductionW };
}
async function replayOrder(reductionW: number): Promise<ReplayKpis> {
  return replay(site, profiles, 'optimised', {
    start: new Date('2026-01-01T00:00:00Z'),
    days: 14.875, // to 21:00 UTC on the 15th, past the order and its rebound
    planFrom: new Date('2026-01-15T06:00:00Z'),
    replanMinutes: 15,
    solver: await HighsSolverAdapter.load(),
    effacements: [orderOf(reductionW)],
  });
}

describe('an effacement order replayed on the demo îlot (closed loop, real profiles)', () => {
  const outcomes: Record<string, EffacementOutcome> = {};
  beforeAll(async () => {
    for (const reductionW of [60_000, 250_000]) {
      const kpis = await replayOrder(reductionW);
      outcomes[reductionW] = kpis.effacements[0];
      // The KPI of ilot simulate is the same delivery, in energy.
      expect(kpis.effacementDeliveredKWh).toBeCloseTo((kpis.effacements[0].deliveredW * 2) / 1000, 6);
    }
  }, 120_000);

  it.each([60_000, 250_000])('carries out the plan for a %d W order: the measured reduction is within 10 %% of the ask of the planned one', (reductionW) => {
    const outcome = outcomes[reductionW];
    expect(outcome.deliveredW).toBeGreaterThan(0);
    expect(Math.abs(outcome.deliveredW - outcome.plannedW)).toBeLessThanOrEqual(0.1 * reductionW);
  });

  it.each([60_000, 250_000])('says so in the plan when a %d W order is not fully deliverable', (reductionW) => {
    const outcome = outcomes[reductionW];
    if (outcome.plannedW < 0.9 * reductionW) expect(outcome.shortSlots).toBeGreaterThan(0);
    else expect(outcome.shortSlots).toBe(0);
  });

  it('finds 250 kW beyond the îlot’s flexibility (100 kW of battery, 17 kW of sheddable load)', () => {
    expect(outcomes[250_000].shortSlots).toBeGreaterThan(0);
    expect(outcomes[250_000].plannedW).toBeLessThan(0.5 * 250_000);
  });

  it('sheds the heat pumps, the loads that can shed on a January evening, each by part of its declared flexibility', () => {
    const loads = Object.fromEntries(outcomes[60_000].loads.map((l) => [l.id, l]));
    for (const id of ['hp-a', 'hp-b']) {
      expect(loads[id].shedW).toBeGreaterThan(0);
      expect(loads[id].shareOfMaxShed).toBeLessThanOrEqual(1);
    }
    expect(loads['wh-a'].shedW).toBe(0); // the water heater runs at night only
  });
});
