import { buildModel } from './build-model';
import { decodeSchedule } from './decode-schedule';
import { fallbackSchedule } from './fallback-schedule';
import { LpSolver, SolveOptions } from './lp-solver.port';
import { PlanInput } from './plan-input';
import { Schedule } from './schedule';

export interface PlanOutcome {
  schedule: Schedule;
  /** What the solver said; `fallback` schedules carry the reason. */
  solveStatus: string;
  buildMs: number;
  solveMs: number;
  decodeMs: number;
}

/** buildModel -> solve -> decodeSchedule, with the rule-based plan when the LP gives none. */
export function plan(input: PlanInput, solver: LpSolver, options: SolveOptions = {}): PlanOutcome {
  const t0 = performance.now();
  const built = buildModel(input);
  const t1 = performance.now();
  const result = solver.solve(built.model, options);
  const t2 = performance.now();
  const schedule =
    result.status === 'optimal' || result.status === 'feasible'
      ? decodeSchedule(input, built, result)
      : fallbackSchedule(input, `${result.solver}: ${result.status}${'message' in result && result.message ? ` (${result.message})` : ''}`);
  const t3 = performance.now();
  return { schedule, solveStatus: result.status, buildMs: t1 - t0, solveMs: t2 - t1, decodeMs: t3 - t2 };
}
