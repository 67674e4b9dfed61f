import solver from 'javascript-lp-solver';
import { LpModel, objectiveValue } from './lp-model';
import { LpSolver, SolveOptions, SolveResult } from './lp-solver.port';

type JsConstraint = { min?: number; max?: number; equal?: number };

/** javascript-lp-solver (pure JS simplex): the product's named solver, for small îlots and cross-checks. */
export class JavascriptLpSolverAdapter implements LpSolver {
  readonly name = 'javascript-lp-solver';

  solve(model: LpModel, options: SolveOptions = {}): SolveResult {
    const started = performance.now();
    const constraints: Record<string, JsConstraint> = {};
    const variables: Record<string, Record<string, number>> = {};
    const unrestricted: Record<string, 1> = {};
    const columnName = (i: number) => `x${i}`;
    model.variables.forEach((v, i) => {
      const column: Record<string, number> = { cost: v.cost };
      variables[columnName(i)] = column;
      if (v.lower < 0) unrestricted[columnName(i)] = 1;
      if (v.lower > 0 && Number.isFinite(v.lower)) {
        constraints[`lb${i}`] = { min: v.lower };
        column[`lb${i}`] = 1;
      }
      if (Number.isFinite(v.upper)) {
        constraints[`ub${i}`] = { max: v.upper };
        column[`ub${i}`] = 1;
      }
    });
    model.constraints.forEach((c, r) => {
      const row = `r${r}`;
      constraints[row] = c.lower === c.upper ? { equal: c.lower } : boundsOf(c.lower, c.upper);
      for (const [i, coefficient] of c.terms) {
        const column = variables[columnName(i)];
        column[row] = (column[row] ?? 0) + coefficient;
      }
    });
    let raw: Record<string, unknown>;
    try {
      raw = solver.Solve({
        optimize: 'cost',
        opType: 'min',
        constraints,
        variables,
        unrestricted,
        options: options.timeLimitMs ? { timeout: options.timeLimitMs } : undefined,
      }) as Record<string, unknown>;
    } catch (error) {
      return {
        status: 'error',
        solver: this.name,
        solveMs: performance.now() - started,
        message: (error as Error).message,
      };
    }
    const solveMs = performance.now() - started;
    if (options.timeLimitMs !== undefined && solveMs > options.timeLimitMs)
      return { status: 'timeout', solver: this.name, solveMs };
    if (!raw.feasible) return { status: 'infeasible', solver: this.name, solveMs };
    if (raw.bounded === false) return { status: 'unbounded', solver: this.name, solveMs };
    const values = new Float64Array(model.variables.length);
    model.variables.forEach((_, i) => {
      const value = raw[columnName(i)];
      values[i] = typeof value === 'number' ? value : 0;
    });
    return { status: 'optimal', solver: this.name, values, objective: objectiveValue(model, values), solveMs };
  }
}

function boundsOf(lower: number, upper: number): JsConstraint {
  const bounds: JsConstraint = {};
  if (Number.isFinite(lower)) bounds.min = lower;
  if (Number.isFinite(upper)) bounds.max = upper;
  return bounds;
}
