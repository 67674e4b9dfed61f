import { HighsSolverAdapter } from './highs.adapter';
import { JavascriptLpSolverAdapter } from './javascript-lp-solver.adapter';
import type { LpSolver } from './lp-solver.port';

/** The solvers the planner can use: HiGHS by default, javascript-lp-solver for small îlots and cross-checks. */
export const SOLVER_NAMES = ['highs', 'javascript-lp-solver'] as const;
export type SolverName = (typeof SOLVER_NAMES)[number];

export async function loadSolver(name: SolverName): Promise<LpSolver> {
  switch (name) {
    case 'highs':
      return HighsSolverAdapter.load();
    case 'javascript-lp-solver':
      return new JavascriptLpSolverAdapter();
  }
}
