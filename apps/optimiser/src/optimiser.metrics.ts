import { Counter, Histogram, Registry } from 'prom-client';

export class OptimiserMetrics {
  readonly solveSeconds: Histogram<'site' | 'solver'>;
  readonly runs: Counter<'site' | 'status'>;
  readonly commands: Counter<'site' | 'type' | 'status'>;

  constructor(registry: Registry) {
    this.solveSeconds = new Histogram({
      name: 'ilot_optimiser_solve_seconds',
      help: 'Time to build, solve and decode one plan, real seconds',
      labelNames: ['site', 'solver'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    this.runs = new Counter({
      name: 'ilot_optimiser_runs_total',
      help: 'Planning runs by outcome (optimal, feasible, kept: the last valid plan went on, fallback: the rule-based plan, error)',
      labelNames: ['site', 'status'],
      registers: [registry],
    });
    this.commands = new Counter({
      name: 'ilot_commands_total',
      help: 'Commands by type and outcome: issued, retried, applied, rejected, unacknowledged (no ack after every retry), followed, not_followed (the telemetry after an applied ack)',
      labelNames: ['site', 'type', 'status'],
      registers: [registry],
    });
  }
}
