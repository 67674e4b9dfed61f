import type { AsyncLpSolver, LpModel, SolveOptions, SolveResult, SolverName } from '@ilot/optimiser';
import { WorkerLpSolver } from './worker-lp-solver';

/**
 * The solver threads of one planner instance, shared by all the sites it plans (issue 14): each solve goes to an idle
 * thread, or waits its turn in arrival order. A site whose solve runs long holds one thread up to its time limit
 * (then its thread is replaced), never the others; sites that come at once (a slot boundary, a broker back) queue
 * instead of being refused.
 *
 * Regression: one thread that refused a second solve ("a solve is already running") gave every site but the first of
 * a slot a fallback plan, and the same site lost every time (found by the broker-restart fault test).
 */
export class SolverPool implements AsyncLpSolver {
  private readonly threads: WorkerLpSolver[];
  private readonly idle: WorkerLpSolver[];
  private readonly waiting: Array<(thread: WorkerLpSolver) => void> = [];

  constructor(
    readonly name: SolverName,
    size: number,
    graceMs?: number,
  ) {
    if (!Number.isInteger(size) || size < 1)
      throw new RangeError(`a solver pool needs at least one thread, got ${size}`);
    this.threads = Array.from({ length: size }, () => new WorkerLpSolver(name, graceMs));
    this.idle = [...this.threads];
  }

  /** Solves waiting for a thread now. */
  get queued(): number {
    return this.waiting.length;
  }

  get size(): number {
    return this.threads.length;
  }

  async solve(model: LpModel, options: SolveOptions = {}): Promise<SolveResult> {
    const thread = this.idle.pop() ?? (await new Promise<WorkerLpSolver>((resolve) => this.waiting.push(resolve)));
    try {
      return await thread.solve(model, options);
    } finally {
      const next = this.waiting.shift();
      if (next) next(thread);
      else this.idle.push(thread);
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.threads.map((thread) => thread.close()));
  }
}
