import { buildModel, HighsSolverAdapter } from '@ilot/optimiser';
import { battery, planInput } from '@ilot/optimiser/testing/plan-input.factory';
import { WorkerLpSolver } from './worker-lp-solver';

/** An îlot LP big enough to take a while: 50 batteries x 96 slots (~15k variables). */
function bigModel() {
  return buildModel(
    planInput({
      consumptionW: Array.from({ length: 96 }, (_, t) => (t >= 68 && t < 84 ? 400_000 : 200_000)),
      pvW: Array.from({ length: 96 }, (_, t) => (t > 28 && t < 76 ? 500_000 * Math.sin((Math.PI * (t - 28)) / 48) : 0)),
      batteries: Array.from({ length: 50 }, (_, i) =>
        battery({ id: `bat-${i}`, capacityWh: 20_000 + 1000 * i, maxChargeW: 10_000, maxDischargeW: 10_000 }),
      ),
      connection: { importLimitW: 500_000, exportLimitW: 200_000 },
    }),
  ).model;
}

describe('WorkerLpSolver (HiGHS in a worker thread)', () => {
  const solver = new WorkerLpSolver('highs');
  afterAll(() => solver.close());

  it('gives the in-process objective while the event loop keeps running', async () => {
    const model = bigModel();
    const local = (await HighsSolverAdapter.load()).solve(model);
    let ticks = 0;
    const ticker = setInterval(() => ticks++, 5);
    const started = performance.now();
    const remote = await solver.solve(model, { timeLimitMs: 30_000 });
    const elapsedMs = performance.now() - started;
    clearInterval(ticker);
    expect(remote.status).toBe('optimal');
    expect(local.status).toBe('optimal');
    if (remote.status === 'optimal' && local.status === 'optimal')
      expect(remote.objective).toBeCloseTo(local.objective, 6);
    // The main thread was free: the 5 ms ticker ran through most of the solve.
    expect(ticks).toBeGreaterThan((elapsedMs / 5) * 0.5);
  });

  it('answers timeout when the solve outlives its limit, and solves the next model on a fresh thread', async () => {
    const stubborn = new WorkerLpSolver('javascript-lp-solver', 0);
    try {
      const result = await stubborn.solve(bigModel(), { timeLimitMs: 50 });
      expect(result.status).toBe('timeout');
      const small = buildModel(planInput({ consumptionW: [10_000, 20_000] })).model;
      expect((await stubborn.solve(small, { timeLimitMs: 10_000 })).status).toBe('optimal');
    } finally {
      await stubborn.close();
    }
  });
});
