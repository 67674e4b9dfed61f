import { buildModel } from '@ilot/optimiser';
import { battery, planInput } from '@ilot/optimiser/testing/plan-input.factory';
import { SolverPool } from './solver-pool';

const small = () => buildModel(planInput({ consumptionW: [10_000, 20_000, 15_000] })).model;
/** 50 batteries x 96 slots: javascript-lp-solver takes far longer than any limit below. */
const big = () =>
  buildModel(
    planInput({
      consumptionW: Array.from({ length: 96 }, (_, t) => (t >= 68 && t < 84 ? 400_000 : 200_000)),
      batteries: Array.from({ length: 50 }, (_, i) =>
        battery({ id: `bat-${i}`, capacityWh: 20_000 + 1000 * i, maxChargeW: 10_000, maxDischargeW: 10_000 }),
      ),
      connection: { importLimitW: 500_000, exportLimitW: 200_000 },
    }),
  ).model;

describe('SolverPool (solver threads shared by the sites of one planner)', () => {
  // Regression: one thread refused a second solve ("a solve is already running"): all sites but one got a fallback.
  it('solves every site that comes at once, more sites than threads, each optimal', async () => {
    const pool = new SolverPool('highs', 2);
    try {
      const results = await Promise.all(Array.from({ length: 6 }, () => pool.solve(small(), { timeLimitMs: 10_000 })));
      expect(results.map((r) => r.status)).toEqual(Array(6).fill('optimal'));
      expect(pool.queued).toBe(0);
    } finally {
      await pool.close();
    }
  });

  it('lets the other sites through while one site’s solve runs to its limit', async () => {
    const pool = new SolverPool('javascript-lp-solver', 2, 0);
    try {
      const finished: string[] = [];
      const slow = pool.solve(big(), { timeLimitMs: 1500 }).then((r) => (finished.push('slow'), r));
      const quick = Array.from({ length: 3 }, (_, k) =>
        pool.solve(small(), { timeLimitMs: 10_000 }).then((r) => (finished.push(`quick-${k}`), r)),
      );
      const results = await Promise.all([slow, ...quick]);
      expect(results.map((r) => r.status)).toEqual(['timeout', 'optimal', 'optimal', 'optimal']);
      expect(finished.at(-1)).toBe('slow');
    } finally {
      await pool.close();
    }
  });

  it('refuses a pool without threads', () => {
    expect(() => new SolverPool('highs', 0)).toThrow('a solver pool needs at least one thread, got 0');
  });
});
