/**
 * The LP solver's thread: the optimiser posts a model, this thread solves it and posts the result
 * back (values transferred, not copied), so a long solve never blocks the event loop.
 */
import { loadSolver, type LpModel, type SolveOptions, type SolverName } from '@ilot/optimiser';
import { parentPort, workerData } from 'node:worker_threads';

const solver = loadSolver((workerData as { solverName: SolverName }).solverName);

parentPort!.on('message', (request: { id: number; model: LpModel; options: SolveOptions }) => {
  void solver.then((s) => {
    const result = s.solve(request.model, request.options);
    parentPort!.postMessage(
      { id: request.id, result },
      'values' in result ? [result.values.buffer as ArrayBuffer] : [],
    );
  });
});
