/**
 * npm run bench:optimise: the planner's time by size, against native COIN-OR CLP in the same run.
 * For (batteries x slots) in BENCH_DEVICES x BENCH_SLOTS: build, solve and decode times with HiGHS
 * (cold, and warm: the same îlot re-planned one slot later) and javascript-lp-solver (small sizes
 * only: it grows fast), and Debian's `clp` (dual simplex) on the same model written as an LP file:
 * its own solve time and its whole run (read + solve). Medians of BENCH_REPEATS.
 * Targets (issue 4): planner end to end within 1.5x CLP for 50 x 96 and 200 x 96; warm re-plan faster than cold CLP.
 */
import {
  buildModel,
  decodeSchedule,
  HighsSolverAdapter,
  JavascriptLpSolverAdapter,
  LpSolver,
  PlanInput,
  SolveResult,
  toLpFormat,
} from '@ilot/optimiser';
import { battery, planInput } from '@ilot/optimiser/testing/plan-input.factory';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const DEVICES = (process.env.BENCH_DEVICES ?? '5,20,50,200').split(',').map(Number);
const SLOTS = (process.env.BENCH_SLOTS ?? '96,288').split(',').map(Number);
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const JS_MAX_VARIABLES = Number(process.env.BENCH_JS_MAX_VARIABLES ?? 3000);

/** An îlot with `batteries` home batteries over `slots` quarter-hours: evening peak, midday PV, HP/HC. */
function scenario(batteries: number, slots: number, shift = 0): PlanInput {
  const hour = (t: number) => ((t + shift) % 96) / 4;
  const scale = 1 + batteries / 10;
  const input = planInput({
    consumptionW: Array.from({ length: slots }, (_, t) => (hour(t) >= 17 && hour(t) < 21 ? 80_000 : 40_000) * scale),
    pvW: Array.from({ length: slots }, (_, t) =>
      hour(t) > 7 && hour(t) < 19 ? 150_000 * scale * Math.sin((Math.PI * (hour(t) - 7)) / 12) : 0,
    ),
    importEurPerKWh: Array.from({ length: slots }, (_, t) => (hour(t) < 6 || hour(t) >= 22 ? 0.2068 : 0.27)),
    batteries: Array.from({ length: batteries }, (_, i) =>
      battery({
        id: `bat-${i + 1}`,
        capacityWh: 10_000 + 1_000 * (i % 11),
        maxChargeW: 5_000,
        maxDischargeW: 5_000,
        socPct: 20 + (i % 5) * 10 + (shift ? 2 : 0),
      }),
    ),
    connection: { importLimitW: 120_000 * scale, exportLimitW: 100_000 * scale },
  });
  return input;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

interface Timing {
  buildMs: number;
  solveMs: number;
  decodeMs: number;
  objective: number;
}

function timePlanner(solver: LpSolver, input: PlanInput, before?: () => void): Timing {
  const runs: Timing[] = [];
  for (let r = 0; r < REPEATS; r++) {
    before?.();
    const t0 = performance.now();
    const built = buildModel(input);
    const t1 = performance.now();
    const result: SolveResult = solver.solve(built.model);
    const t2 = performance.now();
    if (result.status !== 'optimal') throw new Error(`${solver.name}: ${result.status}`);
    decodeSchedule(input, built, result);
    const t3 = performance.now();
    runs.push({ buildMs: t1 - t0, solveMs: t2 - t1, decodeMs: t3 - t2, objective: result.objective });
  }
  return {
    buildMs: median(runs.map((r) => r.buildMs)),
    solveMs: median(runs.map((r) => r.solveMs)),
    decodeMs: median(runs.map((r) => r.decodeMs)),
    objective: runs[0].objective,
  };
}

/** Native CLP on the model as an LP file: its reported solve time and the whole process, ms; its objective (without our offset). */
function timeClp(input: PlanInput, dir: string): { solveMs: number; wallMs: number; objective: number } {
  const model = buildModel(input).model;
  const file = join(dir, `m-${input.batteries.length}-${input.slots.length}.lp`);
  writeFileSync(file, toLpFormat(model));
  const runs: Array<{ solveMs: number; wallMs: number; objective: number }> = [];
  for (let r = 0; r < REPEATS; r++) {
    const started = performance.now();
    const out = spawnSync('clp', [file, '-dualsimplex'], { encoding: 'utf8' });
    const wallMs = performance.now() - started;
    const match = /Optimal objective\s+(\S+)\s+-\s+\d+ iterations time ([\d.]+)/.exec(out.stdout);
    if (!match) throw new Error(`clp did not solve ${file}: ${out.stdout.slice(-500)}${out.stderr}`);
    runs.push({ solveMs: Number(match[2]) * 1000, wallMs, objective: Number(match[1]) + model.objectiveOffset });
  }
  return {
    solveMs: median(runs.map((r) => r.solveMs)),
    wallMs: median(runs.map((r) => r.wallMs)),
    objective: runs[0].objective,
  };
}

async function main(): Promise<void> {
  if (spawnSync('clp', ['-quit']).error)
    throw new Error("Debian's coinor-clp is not installed (apt-get install coinor-clp): it is the reference");
  const dir = mkdtempSync(join(tmpdir(), 'ilot-bench-'));
  const cold = await HighsSolverAdapter.load({ warmStart: false });
  const warm = await HighsSolverAdapter.load({ warmStart: true });
  const js = new JavascriptLpSolverAdapter();
  timePlanner(cold, scenario(1, 96)); // warm up the WebAssembly module and the JIT
  const ms = (x: number) => x.toFixed(1).padStart(8);
  console.log(
    `bench:optimise  îlot LP (batteries x quarter-hour slots), medians of ${REPEATS}; planner = build + solve + decode, ms`,
  );
  console.log(
    '  size        vars    rows  | HiGHS build   solve  decode   total | warm total | js-lp total | CLP solve    CLP run | total/CLP solve  warm/CLP solve  objectives',
  );
  for (const slots of SLOTS)
    for (const devices of DEVICES) {
      const input = scenario(devices, slots);
      const model = buildModel(input).model;
      const h = timePlanner(cold, input);
      const previous = scenario(devices, slots);
      const next = scenario(devices, slots, 1);
      const w = timePlanner(warm, next, () => warm.solve(buildModel(previous).model));
      const j = model.variables.length <= JS_MAX_VARIABLES ? timePlanner(js, input) : undefined;
      const clp = timeClp(input, dir);
      const total = h.buildMs + h.solveMs + h.decodeMs;
      const warmTotal = w.buildMs + w.solveMs + w.decodeMs;
      const agree =
        Math.abs(h.objective - clp.objective) <= 1e-6 * Math.max(1, Math.abs(clp.objective)) &&
        (!j || Math.abs(h.objective - j.objective) <= 1e-6 * Math.abs(h.objective));
      console.log(
        `  ${`${devices} x ${slots}`.padEnd(10)} ${String(model.variables.length).padStart(6)} ${String(model.constraints.length).padStart(6)}  | ${ms(h.buildMs)}${ms(h.solveMs)}${ms(h.decodeMs)}${ms(total)} | ${ms(warmTotal)}   | ${j ? ms(j.buildMs + j.solveMs + j.decodeMs) : ' skipped'}    | ${ms(clp.solveMs)}   ${ms(clp.wallMs)} | ${(total / clp.solveMs).toFixed(2).padStart(15)} ${(warmTotal / clp.solveMs).toFixed(2).padStart(15)}  ${agree ? 'agree' : `DIFFER ${h.objective} / ${clp.objective}`}`,
      );
    }
}

main().catch((error: Error) => {
  console.error(`bench:optimise: ${error.message}`);
  process.exit(1);
});
