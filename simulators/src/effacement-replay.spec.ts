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
  return {
    id: `order-${reductionW / 1000}kw`,
    start: new Date('2026-01-15T16:00:00Z'),
    end: new Date('2026-01-15T18:00:00Z'),
    reductionW,
  };
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
  const outcomes: Record<number, EffacementOutcome> = {};
  beforeAll(async () => {
    for (const reductionW of [60_000, 250_000]) {
      const kpis = await replayOrder(reductionW);
      outcomes[reductionW] = kpis.effacements[0];
      const { askedW, plannedW, deliveredW, shortSlots, loads } = kpis.effacements[0];
      const kw = (w: number) => (w / 1000).toFixed(1);
      console.log(
        `order ${kw(askedW)} kW for 2 h: planned ${kw(plannedW)} kW (${shortSlots} slots short), delivered ${kw(deliveredW)} kW; shed ${loads.map((l) => `${l.id} ${kw(l.shedW)} kW (${(l.shareOfMaxShed * 100).toFixed(0)} % of its flexibility)`).join(', ')}`,
      );
      // The KPI of ilot simulate is the same delivery, in energy.
      expect(kpis.effacementDeliveredKWh).toBeCloseTo((kpis.effacements[0].deliveredW * 2) / 1000, 6);
    }
  }, 120_000);

  it('delivers 60 kW for 2 h within 10 % against the îlot reference, planned in full, every load shedding the same share of its flexibility', () => {
    const outcome = outcomes[60_000];
    expect(outcome.shortSlots).toBe(0);
    expect(outcome.plannedW).toBeGreaterThanOrEqual(60_000 - 1);
    expect(Math.abs(outcome.deliveredW - 60_000)).toBeLessThanOrEqual(6_000);
    const loads = Object.fromEntries(outcome.loads.map((l) => [l.id, l]));
    // The heat pumps can shed on a January evening; the water heater runs at night only.
    expect(loads['hp-a'].shedW).toBeGreaterThan(0);
    expect(loads['hp-b'].shedW).toBeGreaterThan(0);
    expect(loads['wh-a'].shedW).toBe(0);
    expect(Math.abs(loads['hp-a'].shareOfMaxShed - loads['hp-b'].shareOfMaxShed)).toBeLessThanOrEqual(0.1);
  });

  it('says a 250 kW order is beyond the îlot’s flexibility (100 kW of battery, 14 kW of heat pumps) and delivers what it committed to', () => {
    const outcome = outcomes[250_000];
    expect(outcome.shortSlots).toBeGreaterThan(0);
    expect(outcome.plannedW).toBeLessThan(0.5 * 250_000);
    expect(Math.abs(outcome.deliveredW - outcome.plannedW)).toBeLessThanOrEqual(0.1 * outcome.plannedW);
  });
});
