/**
 * npm run bench:optimiser: solve time of the îlot LP by size, HiGHS against javascript-lp-solver
 * on the same models in the same run (build -> solve, median of BENCH_REPEATS). javascript-lp-solver
 * runs up to BENCH_JS_MAX_BATTERIES (its time grows fast: 0.7 s for 5 batteries, 183 s for 20).
 */
import { buildModel, HighsSolverAdapter, JavascriptLpSolverAdapter, LpSolver } from '@ilot/optimiser';
import { battery, planInput } from '@ilot/optimiser/testing/plan-input.factory';

const SIZES = (process.env.BENCH_BATTERIES ?? '1,5,10,20,50').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const JS_MAX = Number(process.env.BENCH_JS_MAX_BATTERIES ?? 5);
const SLOTS = 96;

function scenario(batteries: number) {
  const hour = (t: number) => t / 4;
  return planInput({
    consumptionW: Array.from({ length: SLOTS }, (_, t) => (hour(t) >= 17 && hour(t) < 21 ? 80_000 : 40_000) * (1 + batteries / 10)),
    pvW: Array.from({ length: SLOTS }, (_, t) => (hour(t) > 7 && hour(t) < 19 ? 150_000 * (1 + batteries / 10) * Math.sin((Math.PI * (hour(t) - 7)) / 12) : 0)),
    importEurPerKWh: Array.from({ length: SLOTS }, (_, t) => (hour(t) < 6 || hour(t) >= 22 ? 0.2068 : 0.27)),
    batteries: Array.from({ length: batteries }, (_, i) =>
      battery({ id: `bat-${i + 1}`, capacityWh: 20_000 + 5_000 * (i % 7), maxChargeW: 10_000, maxDischargeW: 10_000, socPct: 20 + (i % 5) * 10 }),
    ),
    connection: { importLimitW: 400_000, exportLimitW: 200_000 },
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeSolve(solver: LpSolver, batteries: number): { ms: number; objective: number } {
  const runs: number[] = [];
  let objective = NaN;
  for (let r = 0; r < REPEATS; r++) {
    const started = performance.now();
    const result = solver.solve(buildModel(scenario(batteries)).model);
    runs.push(performance.now() - started);
    if (result.status !== 'optimal') throw new Error(`${solver.name}, ${batteries} batteries: ${result.status}`);
    objective = result.objective;
  }
  return { ms: median(runs), objective };
}

/** The rolling re-plan: the same îlot one slot later (forecasts shifted, SoC moved), solved cold and warm-started from the previous basis. */
function rollingReplan(batteries: number): { coldMs: number; warmMs: number; agree: boolean } {
  const first = buildModel(scenario(batteries)).model;
  const shifted = scenario(batteries);
  shifted.slots = [...shifted.slots.slice(1), shifted.slots[0]];
  shifted.batteries = shifted.batteries.map((b) => ({ ...b, socPct: Math.min(b.socPct + 3, b.maxSocPct) }));
  const next = buildModel(shifted).model;
  const cold: number[] = [];
  const warm: number[] = [];
  let agree = true;
  for (let r = 0; r < REPEATS; r++) {
    const coldSolver = highsCold!;
    let started = performance.now();
    const a = coldSolver.solve(next);
    cold.push(performance.now() - started);
    highsWarm!.solve(first); // the previous run leaves its basis
    started = performance.now();
    const b = highsWarm!.solve(next);
    warm.push(performance.now() - started);
    if (a.status !== 'optimal' || b.status !== 'optimal' || Math.abs(a.objective - b.objective) > 1e-6 * Math.max(1, Math.abs(a.objective))) agree = false;
  }
  return { coldMs: median(cold), warmMs: median(warm), agree };
}

let highsCold: HighsSolverAdapter | undefined;
let highsWarm: HighsSolverAdapter | undefined;

async function main(): Promise<void> {
  highsCold = await HighsSolverAdapter.load({ warmStart: false });
  highsWarm = await HighsSolverAdapter.load({ warmStart: true });
  const highs = highsCold;
  const js = new JavascriptLpSolverAdapter();
  timeSolve(highs, 1); // warm the WebAssembly module
  console.log(`bench:optimiser  îlot LP, ${SLOTS} quarter-hour slots, build + solve, median of ${REPEATS}`);
  console.log('  batteries   variables   rows      HiGHS ms   javascript-lp-solver ms   ratio js/HiGHS   objectives agree');
  for (const n of SIZES) {
    const model = buildModel(scenario(n)).model;
    const a = timeSolve(highs, n);
    const b = n <= JS_MAX ? timeSolve(js, n) : undefined;
    const agree = b
      ? Math.abs(a.objective - b.objective) <= 1e-6 * Math.max(1, Math.abs(b.objective))
        ? 'yes'
        : `NO (${a.objective} vs ${b.objective})`
      : '-';
    console.log(
      `  ${String(n).padStart(9)}   ${String(model.variables.length).padStart(9)}   ${String(model.constraints.length).padStart(6)}   ${a.ms.toFixed(1).padStart(8)}   ${(b ? b.ms.toFixed(1) : 'skipped').padStart(23)}   ${(b ? (b.ms / a.ms).toFixed(1) : '-').padStart(14)}   ${agree}`,
    );
  }
  console.log('  re-plan one slot later, HiGHS cold against warm-started from the previous optimal basis (same run):');
  console.log('  batteries   cold ms   warm ms   speed-up   objectives agree');
  for (const n of SIZES) {
    const r = rollingReplan(n);
    console.log(
      `  ${String(n).padStart(9)}   ${r.coldMs.toFixed(1).padStart(7)}   ${r.warmMs.toFixed(1).padStart(7)}   ${(r.coldMs / r.warmMs).toFixed(1).padStart(8)}   ${r.agree ? 'yes' : 'NO'}`,
    );
  }
}

main().catch((error: Error) => {
  console.error(`bench:optimiser: ${error.message}`);
  process.exit(1);
});
