import { BuiltModel, buildModel } from './build-model';
import { decodeSchedule } from './decode-schedule';
import { fallbackSchedule } from './fallback-schedule';
import type { LpModel } from './lp-model';
import { LpSolver, SolveOptions, SolveResult } from './lp-solver.port';
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
  return finish(input, built, result, t1 - t0, performance.now() - t1);
}

/** A solver that answers later: one running off the event loop (a worker thread). */
export interface AsyncLpSolver {
  readonly name: string;
  solve(model: LpModel, options?: SolveOptions): Promise<SolveResult>;
}

/** `plan` with a solver that runs elsewhere; the same outcome for the same answer. */
export async function planAsync(
  input: PlanInput,
  solver: AsyncLpSolver,
  options: SolveOptions = {},
): Promise<PlanOutcome> {
  const t0 = performance.now();
  const built = buildModel(input);
  const t1 = performance.now();
  const result = await solver.solve(built.model, options);
  return finish(input, built, result, t1 - t0, performance.now() - t1);
}

function finish(
  input: PlanInput,
  built: BuiltModel,
  result: SolveResult,
  buildMs: number,
  solveMs: number,
): PlanOutcome {
  const t2 = performance.now();
  const schedule =
    result.status === 'optimal' || result.status === 'feasible'
      ? decodeSchedule(input, built, result)
      : fallbackSchedule(
          input,
          `${result.solver}: ${result.status}${'message' in result && result.message ? ` (${result.message})` : ''}`,
        );
  return { schedule, solveStatus: result.status, buildMs, solveMs, decodeMs: performance.now() - t2 };
}

/**
 * When the solver gave no plan, the last valid one goes on (its slots from now on) until it is
 * `keepMs` old; only then the rule-based fallback. Pure: `now` is given.
 */
export function keepLastValid(
  previous: Schedule | undefined,
  fresh: Schedule,
  now: Date,
  keepMs: number,
): { schedule: Schedule; kept: boolean } {
  if (fresh.status !== 'fallback' || !previous || previous.status === 'fallback')
    return { schedule: fresh, kept: false };
  if (now.getTime() - Date.parse(previous.generatedAt) > keepMs) return { schedule: fresh, kept: false };
  const slotMs = previous.slotMinutes * 60_000;
  const slots = previous.slots.filter((slot) => Date.parse(slot.start) + slotMs > now.getTime());
  if (slots.length === 0) return { schedule: fresh, kept: false };
  return {
    schedule: {
      ...previous,
      slots,
      status: 'feasible',
      reason: `kept the plan of ${previous.generatedAt}: ${fresh.reason ?? 'no new plan'}`,
    },
    kept: true,
  };
}
