import { Counter, Gauge, Histogram, Registry } from 'prom-client';

export class OptimiserMetrics {
  readonly solveSeconds: Histogram<'site' | 'solver'>;
  readonly runs: Counter<'site' | 'status'>;
  readonly commands: Counter<'site' | 'type' | 'status'>;
  readonly forecastFetches: Counter<'site' | 'source' | 'outcome'>;
  /** How long a renewal of the leases took, from when it was due (a late timer included), real seconds. */
  readonly leaseRenewSeconds: Histogram;
  /** The newest PV forecast stored per site and provider, ms (the age gauge is read from it at each scrape). */
  private readonly pvForecastIssuedMs = new Map<string, { site: string; source: string; issuedMs: number }>();

  constructor(
    registry: Registry,
    /** The îlot's clock (simulated time in a demo): a forecast's age is counted in it. */
    private readonly nowMs: () => number = Date.now,
  ) {
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
    this.forecastFetches = new Counter({
      name: 'ilot_forecast_fetches_total',
      help: "Weather providers' PV forecast fetches by outcome (ok, timeout, http_error, rate_limited, invalid)",
      labelNames: ['site', 'source', 'outcome'],
      registers: [registry],
    });
    this.leaseRenewSeconds = new Histogram({
      name: 'ilot_lease_renew_seconds',
      help: "Time from a lease renewal's due time to its end (a late timer and the two statements), real seconds; the leases lapse past the lease's length",
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    });
    const issued = this.pvForecastIssuedMs;
    const clockMs = this.nowMs;
    new Gauge({
      name: 'ilot_pv_forecast_age_seconds',
      help: "Age of the newest PV forecast stored from each weather provider, seconds (the planner's own plans once it passes the site's forecast.maxAgeH)",
      labelNames: ['site', 'source'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { site, source, issuedMs } of issued.values())
          this.set({ site, source }, Math.max((clockMs() - issuedMs) / 1000, 0));
      },
    });
  }

  /** A provider's forecast was stored, issued at `issuedAt`. */
  pvForecastIssued(site: string, source: string, issuedAt: Date): void {
    this.pvForecastIssuedMs.set(`${site}\u0000${source}`, { site, source, issuedMs: issuedAt.getTime() });
  }
}
