import { buildModel } from './build-model';
import { HighsSolverAdapter } from './highs.adapter';
import { plan } from './plan';
import { firstSlotDecisions } from './scenario-model';
import { battery, planInput } from './testing/plan-input.factory';
import { scheduleInvariantViolations } from './testing/schedule-invariants';

/**
 * A night at off-peak prices before a day the central forecast calls sunny (a surplus that refills the battery) and
 * an evening peak: on the central forecast alone the plan spends the battery at night, the sun to refill it.
 */
function night(pvScenarios?: Array<{ name: string; probability: number; dayPvW: number }>) {
  const hours = Array.from({ length: 24 }, (_, t) => t);
  const dayPv = (w: number) => hours.map((t) => (t >= 6 && t < 12 ? w : 0));
  const input = planInput({
    slotMinutes: 60,
    consumptionW: hours.map((t) => (t >= 12 && t < 18 ? 4000 : 2000)),
    pvW: dayPv(8000),
    importEurPerKWh: hours.map((t) => (t < 6 || t >= 18 ? 0.2068 : 0.27)),
    batteries: [battery({ capacityWh: 10_000, maxChargeW: 5000, maxDischargeW: 5000, socPct: 95 })],
    connection: { importLimitW: 12_000, exportLimitW: 12_000 },
  });
  return {
    ...input,
    ...(pvScenarios
      ? {
          pvScenarios: pvScenarios.map(({ name, probability, dayPvW }) => ({
            name,
            probability,
            forecastW: [dayPv(dayPvW)],
          })),
        }
      : {}),
  };
}

describe('two-stage plans over the PV forecast’s outcomes (issue 27)', () => {
  let solver: HighsSolverAdapter;
  beforeAll(async () => (solver = await HighsSolverAdapter.load()));

  it('is the central plan when every outcome is the central forecast', () => {
    const alone = plan(night(), solver).schedule;
    const same = plan(
      night([
        { name: 'low', probability: 0.3, dayPvW: 8000 },
        { name: 'high', probability: 0.3, dayPvW: 8000 },
      ]),
      solver,
    ).schedule;
    expect(same.status).toBe('optimal');
    expect(same.objectiveEur).toBeCloseTo(alone.objectiveEur, 3);
    expect(same.slots[0].devices['bat-1'].setpointW).toBeCloseTo(alone.slots[0].devices['bat-1'].setpointW, 0);
  });

  it('keeps more of the battery for the evening when the day may be dull, and decides now once for every outcome', () => {
    const central = plan(night(), solver).schedule;
    const input = night([
      { name: 'dull', probability: 0.3, dayPvW: 0 },
      { name: 'bright', probability: 0.3, dayPvW: 9000 },
    ]);
    const hedged = plan(input, solver).schedule;
    expect(hedged.status).toBe('optimal');
    expect(scheduleInvariantViolations(input, hedged)).toEqual([]);
    // What is sent now: on the central forecast the battery serves the night at once; weighing a dull day, it waits
    // (the next plan, an hour on, weighs it again).
    expect(central.slots[0].devices['bat-1'].setpointW).toBe(2000);
    expect(hedged.slots[0].devices['bat-1'].setpointW).toBeLessThan(1000);
    // The first slot's decisions are one column's value in every scenario.
    const built = buildModel(input);
    const result = solver.solve(built.model);
    if (result.status !== 'optimal') throw new Error(result.status);
    const first = firstSlotDecisions(built.index);
    for (const s of [1, 2]) {
      const names = first.map((column) => `s${s}:${built.model.variables[column].name}`);
      const columns = names.map((name) => built.model.variables.findIndex((v) => v.name === name));
      expect(columns.every((c) => c > 0)).toBe(true);
      columns.forEach((c, j) => expect(result.values[c]).toBeCloseTo(result.values[first[j]], 6));
    }
  });
});
