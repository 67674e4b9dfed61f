import type { LpModel } from './lp-model';

export type SolveStatus = 'optimal' | 'feasible' | 'infeasible' | 'unbounded' | 'timeout' | 'error';

/** A solve's outcome: values only when a solution exists; never a thrown error for an infeasible model. */
export type SolveResult =
  | { status: 'optimal' | 'feasible'; solver: string; values: Float64Array; objective: number; solveMs: number }
  | { status: 'infeasible' | 'unbounded' | 'timeout' | 'error'; solver: string; solveMs: number; message?: string };

export interface SolveOptions {
  /** Wall-clock budget for the solve, ms. */
  timeLimitMs?: number;
}

/** The port every LP solver adapter implements. */
export interface LpSolver {
  readonly name: string;
  solve(model: LpModel, options?: SolveOptions): SolveResult;
}
