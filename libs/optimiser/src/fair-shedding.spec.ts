import { HighsSolverAdapter } from './highs.adapter';
import { JavascriptLpSolverAdapter } from './javascript-lp-solver.adapter';
import type { PlanFlexibleLoad } from './plan-input';
import { plan } from './plan';
import { planInput } from './testing/plan-input.factory';
import { scheduleInvariantViolations } from './testing/schedule-invariants';

/** Four quarter-hours at 50 kW; an effacement order caps the import at 44 kW over the middle two, no battery. */
function scenario(loads: PlanFlexibleLoad[]) {
  const base = planInput({ consumptionW: [50_000, 50_000, 50_000, 50_000], batteries: [] });
  return {
    ...base,
    flexibleLoads: loads,
    effacements: [
      { id: 'order-1', start: base.slots[1].start, end: base.slots[3].start, importCapW: 44_000, penaltyEurPerKWh: 1 },
    ],
  };
}
const load = (id: string, maxShedW: number, baselineW: number): PlanFlexibleLoad => ({
  id,
  baselineW: [baselineW, baselineW, baselineW, baselineW],
  maxShedW,
  ratedW: baselineW * 2,
  maxShedMinutes: 120,
  recoveryRatio: 1,
});

describe.each([
  ['HiGHS', () => HighsSolverAdapter.load()],
  ['javascript-lp-solver', async () => new JavascriptLpSolverAdapter()],
])('fair shedding (%s)', (_name, solverOf) => {
  it.each([
    // [loads, expected shed per load in an effacement slot]: each gives the same share of what it can shed then.
    [[load('hp-a', 8000, 10_000), load('hp-b', 4000, 4000)], { 'hp-a': 4000, 'hp-b': 2000 }],
    [
      [load('hp-a', 8000, 10_000), load('hp-b', 6000, 10_000), load('wh-a', 3000, 3000)],
      { 'hp-a': 2824, 'hp-b': 2118, 'wh-a': 1059 },
    ],
    // The water heater is off (baseline 0): the others share the order between them.
    [
      [load('hp-a', 8000, 10_000), load('hp-b', 4000, 4000), load('wh-a', 3000, 0)],
      { 'hp-a': 4000, 'hp-b': 2000, 'wh-a': 0 },
    ],
  ])('spreads a 6 kW reduction over %j in proportion to each one’s flexibility', async (loads, expected) => {
    const solver = await solverOf();
    const input = scenario(loads);
    const { schedule } = plan(input, solver);
    expect(schedule.status).toBe('optimal');
    expect(scheduleInvariantViolations(input, schedule)).toEqual([]);
    for (const t of [1, 2]) {
      const shed = Object.fromEntries(loads.map((l) => [l.id, Math.round(schedule.slots[t].devices[l.id].setpointW)]));
      expect(shed).toEqual(expected);
      expect(schedule.slots[t].gridW).toBeCloseTo(44_000, 0);
    }
  });
});

describe.each([
  ['HiGHS', () => HighsSolverAdapter.load()],
  ['javascript-lp-solver', async () => new JavascriptLpSolverAdapter()],
])('a load that owes energy from before the plan (issue 27, %s)', (_name, solverOf) => {
  it('makes it up within the horizon, in the cheapest slot, and on the whole no more', async () => {
    const solver = await solverOf();
    const base = planInput({ consumptionW: [50_000, 50_000, 50_000, 50_000], batteries: [] });
    // The third slot is the cheap one: the 2 kWh owed come back there (at most 10 kW above its 4 kW baseline).
    const slots = base.slots.map((slot, t) => ({ ...slot, importEurPerKWh: t === 2 ? 0.1 : 0.3 }));
    const input = { ...base, slots, flexibleLoads: [{ ...load('hp-a', 8000, 4000), ratedW: 14_000, owedWh: 2000 }] };
    const { schedule } = plan(input, solver);
    expect(schedule.status).toBe('optimal');
    expect(scheduleInvariantViolations(input, schedule)).toEqual([]);
    const recoveredW = schedule.slots.map((s) => Math.round(s.devices['hp-a'].recoveryW ?? 0));
    const shedW = schedule.slots.map((s) => Math.round(s.devices['hp-a'].setpointW));
    // Made up in the cheap slot only, and on the whole what it owed (it may shed more where dear to make it up there).
    expect(recoveredW.map((w, t) => (t === 2 ? w > 0 : w === 0))).toEqual([true, true, true, true]);
    const netWh = recoveredW.reduce((sum, w, t) => sum + (w - shedW[t]) * (input.slotMinutes / 60), 0);
    expect(netWh).toBeCloseTo(2000, 0);
  });

  // Regression (issue 27): the debt had to be 0 at the horizon's end, so a load owing more than the horizon can give
  // back (a controller's report after a long limit, or an absurd one) made the model infeasible and the îlot fell back
  // to its rule.
  it('plans a debt larger than the horizon can pay back: pays back all it can, the rest still owed', async () => {
    const solver = await solverOf();
    const base = planInput({ consumptionW: [50_000, 50_000, 50_000, 50_000], batteries: [] });
    // 4 kW baseline, rated 14 kW: at most 10 kW x 1 h = 10 kWh can come back in the hour; it owes 25.
    const input = { ...base, flexibleLoads: [{ ...load('hp-a', 8000, 4000), ratedW: 14_000, owedWh: 25_000 }] };
    const { schedule } = plan(input, solver);
    expect(schedule.status).toBe('optimal');
    expect(scheduleInvariantViolations(input, schedule)).toEqual([]);
    const recoveredW = schedule.slots.map((s) => Math.round(s.devices['hp-a'].recoveryW ?? 0));
    expect(recoveredW).toEqual([10_000, 10_000, 10_000, 10_000]);
  });
});
