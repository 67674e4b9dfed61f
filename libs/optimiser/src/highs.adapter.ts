import highsLoader, { type Highs } from 'highs';
import { LpModel, objectiveValue } from './lp-model';
import { LpSolver, SolveOptions, SolveResult } from './lp-solver.port';

/**
 * HiGHS (WebAssembly, MIT): the default solver for real îlots. The model goes in as typed CSR
 * arrays (no LP text), every native model is disposed (garbage collection does not free Wasm
 * memory), and a time limit is HiGHS's own `time_limit`.
 */
export class HighsSolverAdapter implements LpSolver {
  readonly name = 'highs';

  private constructor(private readonly highs: Highs) {}

  /** Compiles the WebAssembly module (once per process; ~50 ms). */
  static async load(): Promise<HighsSolverAdapter> {
    return new HighsSolverAdapter(await highsLoader());
  }

  solve(model: LpModel, options: SolveOptions = {}): SolveResult {
    const started = performance.now();
    const statuses = this.highs.constants.modelStatus;
    let native: ReturnType<Highs['createModel']> | undefined;
    try {
      native = this.highs.createModel(toModelData(model));
      native.options.set({ output_flag: false, ...(options.timeLimitMs ? { time_limit: options.timeLimitMs / 1000 } : {}) });
      native.run();
      const status = native.getModelStatus();
      const solveMs = performance.now() - started;
      if (status === statuses.optimal) {
        const values = Float64Array.from(native.getSolution().colValue);
        return { status: 'optimal', solver: this.name, values, objective: objectiveValue(model, values), solveMs };
      }
      if (status === statuses.infeasible) return { status: 'infeasible', solver: this.name, solveMs };
      if (status === statuses.unbounded || status === statuses.unboundedOrInfeasible) return { status: 'unbounded', solver: this.name, solveMs };
      if (status === statuses.timeLimit || status === statuses.interrupted) return { status: 'timeout', solver: this.name, solveMs };
      return { status: 'error', solver: this.name, solveMs, message: `HiGHS model status ${status}` };
    } catch (error) {
      return { status: 'error', solver: this.name, solveMs: performance.now() - started, message: (error as Error).message };
    } finally {
      native?.dispose();
    }
  }
}

/** The solver-neutral model as HiGHS model data: bounds and costs per column, rows in CSR with repeated terms summed. */
function toModelData(model: LpModel) {
  const numCols = model.variables.length;
  const numRows = model.constraints.length;
  const starts = new Int32Array(numRows + 1);
  const indices: number[] = [];
  const values: number[] = [];
  model.constraints.forEach((row, r) => {
    const merged = new Map<number, number>();
    for (const [column, coefficient] of row.terms) merged.set(column, (merged.get(column) ?? 0) + coefficient);
    for (const [column, coefficient] of merged)
      if (coefficient !== 0) {
        indices.push(column);
        values.push(coefficient);
      }
    starts[r + 1] = indices.length;
  });
  return {
    numCols,
    numRows,
    offset: model.objectiveOffset,
    colCost: Float64Array.from(model.variables, (v) => v.cost),
    colLower: Float64Array.from(model.variables, (v) => v.lower),
    colUpper: Float64Array.from(model.variables, (v) => v.upper),
    rowLower: Float64Array.from(model.constraints, (c) => c.lower),
    rowUpper: Float64Array.from(model.constraints, (c) => c.upper),
    matrix: { format: 'csr' as const, numRows, numCols, starts, indices: Int32Array.from(indices), values: Float64Array.from(values) },
  };
}
