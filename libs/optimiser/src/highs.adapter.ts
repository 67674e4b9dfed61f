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

  /** The optimal basis of the last model solved, with that model's shape: the warm start of the next one of the same shape. */
  private lastBasis: { shape: string; basis: ReturnType<ReturnType<Highs['createModel']>['getBasis']> } | undefined;

  private constructor(
    private readonly highs: Highs,
    private readonly warmStart: boolean,
    private readonly highsOptions: Readonly<Record<string, string | number | boolean>>,
  ) {}

  /**
   * Compiles the WebAssembly module (once per process; ~50 ms). With `warmStart` (default), a model
   * with the same variables and rows as the previous one (the rolling plan of the same îlot) starts
   * from the previous optimal basis instead of from scratch.
   */
  static async load(
    options: { warmStart?: boolean; highsOptions?: Record<string, string | number | boolean> } = {},
  ): Promise<HighsSolverAdapter> {
    return new HighsSolverAdapter(await highsLoader(), options.warmStart ?? true, options.highsOptions ?? {});
  }

  solve(model: LpModel, options: SolveOptions = {}): SolveResult {
    const started = performance.now();
    const statuses = this.highs.constants.modelStatus;
    let native: ReturnType<Highs['createModel']> | undefined;
    try {
      const data = toModelData(model);
      native = this.highs.createModel(data);
      native.options.set({
        output_flag: false,
        ...this.highsOptions,
        ...(options.timeLimitMs ? { time_limit: options.timeLimitMs / 1000 } : {}),
      });
      const shape = modelShape(model, data.matrix.indices.length);
      if (this.warmStart && this.lastBasis?.shape === shape) native.setBasis(this.lastBasis.basis);
      native.run();
      const status = native.getModelStatus();
      const solveMs = performance.now() - started;
      if (status === statuses.optimal) {
        if (this.warmStart) this.lastBasis = { shape, basis: native.getBasis() };
        const values = Float64Array.from(native.getSolution().colValue);
        return { status: 'optimal', solver: this.name, values, objective: objectiveValue(model, values), solveMs };
      }
      if (status === statuses.infeasible) return { status: 'infeasible', solver: this.name, solveMs };
      if (status === statuses.unbounded || status === statuses.unboundedOrInfeasible)
        return { status: 'unbounded', solver: this.name, solveMs };
      if (status === statuses.timeLimit || status === statuses.interrupted)
        return { status: 'timeout', solver: this.name, solveMs };
      return { status: 'error', solver: this.name, solveMs, message: `HiGHS model status ${status}` };
    } catch (error) {
      return {
        status: 'error',
        solver: this.name,
        solveMs: performance.now() - started,
        message: (error as Error).message,
      };
    } finally {
      native?.dispose();
    }
  }
}

/** Same variables and rows, in the same order: a basis of one fits the other. */
function modelShape(model: LpModel, nonZeros: number): string {
  const v = model.variables;
  const c = model.constraints;
  return `${v.length}/${c.length}/${nonZeros}/${v[0]?.name}/${v.at(-1)?.name}/${c[0]?.name}/${c.at(-1)?.name}`;
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
    matrix: {
      format: 'csr' as const,
      numRows,
      numCols,
      starts,
      indices: Int32Array.from(indices),
      values: Float64Array.from(values),
    },
  };
}
