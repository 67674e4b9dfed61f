import type { AsyncLpSolver, LpModel, SolveOptions, SolveResult, SolverName } from '@ilot/optimiser';
import { Worker } from 'node:worker_threads';
import { workerScript } from './worker-script';

/**
 * Solves in a worker thread. A solve that outlives its time limit by `graceMs` (the solver's own
 * limit did not stop it) ends the worker: the answer is `timeout` and a fresh worker takes the next
 * model. One solve at a time (the planning loop runs one plan at a time).
 */
export class WorkerLpSolver implements AsyncLpSolver {
  private worker: Worker;
  private nextId = 0;
  private pending: { id: number; resolve: (result: SolveResult) => void; timer?: NodeJS.Timeout } | undefined;

  constructor(
    readonly name: SolverName,
    private readonly graceMs = 2000,
  ) {
    this.worker = this.spawn();
  }

  solve(model: LpModel, options: SolveOptions = {}): Promise<SolveResult> {
    if (this.pending)
      return Promise.resolve({ status: 'error', solver: this.name, solveMs: 0, message: 'a solve is already running' });
    const started = performance.now();
    return new Promise((resolve) => {
      const id = this.nextId++;
      this.pending = { id, resolve };
      if (options.timeLimitMs !== undefined)
        this.pending.timer = setTimeout(() => {
          this.settle(id, {
            status: 'timeout',
            solver: this.name,
            solveMs: performance.now() - started,
            message: 'solver thread stopped',
          });
          void this.worker.terminate();
          this.worker = this.spawn();
        }, options.timeLimitMs + this.graceMs);
      this.worker.postMessage({ id, model, options });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }

  private spawn(): Worker {
    const worker = new Worker(workerScript('solver.worker.js'), { workerData: { solverName: this.name } });
    worker.unref();
    worker.on('message', (message: { id: number; result: SolveResult }) => this.settle(message.id, message.result));
    worker.on('error', (error) => {
      if (this.pending)
        this.settle(this.pending.id, {
          status: 'error',
          solver: this.name,
          solveMs: 0,
          message: `solver thread: ${error.message}`,
        });
      this.worker = this.spawn();
    });
    return worker;
  }

  private settle(id: number, result: SolveResult): void {
    if (this.pending?.id !== id) return;
    clearTimeout(this.pending.timer);
    const { resolve } = this.pending;
    this.pending = undefined;
    resolve(result);
  }
}
