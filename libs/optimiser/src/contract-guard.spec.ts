import { buildModel } from './build-model';
import { JavascriptLpSolverAdapter } from './javascript-lp-solver.adapter';
import { plan } from './plan';
import { battery, planInput } from './testing/plan-input.factory';
import { scheduleInvariantViolations } from './testing/schedule-invariants';

const solver = new JavascriptLpSolverAdapter();

/**
 * Six hours at 140 kW under a 160 kW contract, peak price for four hours then a cheap tail (so the stored energy is worth
 * little at the end and spending it at the peak price pays). The guard's scenario: 40 kW more than forecast in the
 * fifth hour (slots 16-19), which the real-time ceiling must take from the battery: 40 kWh at the AC side.
 */
function scenario(guarded: boolean) {
  const slots = 24;
  return planInput({
    consumptionW: Array(slots).fill(140_000),
    importEurPerKWh: Array.from({ length: slots }, (_, t) => (t < 20 ? 0.27 : 0.1)),
    batteries: [battery({ socPct: 50 })],
    connection: { importLimitW: 160_000, exportLimitW: 100_000 },
    ...(guarded
      ? { contractGuard: { extraImportW: Array.from({ length: slots }, (_, t) => (t >= 16 && t < 20 ? 60_000 : 0)) } }
      : {}),
  });
}

describe('contract guard: the battery energy the real-time ceiling needs if the forecast is wrong', () => {
  const socAt = (guarded: boolean, t: number) => {
    const input = scenario(guarded);
    const { schedule } = plan(input, solver);
    expect(schedule.status).toBe('optimal');
    expect(scheduleInvariantViolations(input, schedule)).toEqual([]);
    return schedule.slots[t].devices['bat-1'].socPct!;
  };

  it('without a guard, the plan spends the charge at the peak price before the hour the forecast got wrong', () => {
    expect(socAt(false, 15)).toBeLessThan(15);
  });

  it('with the guard, it keeps what holding 160 kW against 60 kW more needs through that hour (20 kW x 1 h / 95 %)', () => {
    // Energy above the 10 % floor at the end of slot 15: at least 20 kWh / 0.95 = 21.05 kWh = 10.5 % of 200 kWh.
    expect(socAt(true, 15)).toBeGreaterThanOrEqual(10 + 10.5 - 0.01);
  });

  it('adds the guard trajectory only when there is an error to hold and a battery to hold it', () => {
    const guarded = buildModel(scenario(true)).model.variables.filter((v) => v.name.startsWith('guard'));
    expect(guarded.length).toBe(24 * 2 + 24); // per slot: the extra discharge and the stored energy; the import not held
    const none = { ...scenario(true), contractGuard: { extraImportW: Array(24).fill(0) } };
    expect(buildModel(none).model.variables.some((v) => v.name.startsWith('guard'))).toBe(false);
    expect(
      buildModel({ ...scenario(true), batteries: [] }).model.variables.some((v) => v.name.startsWith('guard')),
    ).toBe(false);
  });
});
