import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Clock } from '@ilot/domain';
import { CLOCK, METRICS_REGISTRY } from '@ilot/runtime';
import { Histogram, type Registry } from 'prom-client';
import { SiteScopes } from '@ilot/residents';
import { DashboardDevicesSync } from './dashboard-devices.sync';
import { PrivacyRetention } from '@ilot/residents';

/** Injection token of the ledger's period, ms of wall time. */
export const LEDGER_INTERVAL_MS = Symbol('LEDGER_INTERVAL_MS');

/** The histogram of the job's runs, wall seconds (the soak judges the ledger's lag against it), and its buckets. */
export const LEDGER_RUN_METRIC = 'ilot_resident_ledger_run_seconds';
export const LEDGER_RUN_BUCKETS_S = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120] as const;

/**
 * Brings every îlot's resident ledger up to the îlot clock at start, then every period (and, first, the dashboards'
 * list of shared devices and the raw readings kept past consent); one run at a time, the sites one after the other (a site another metrics instance is writing is skipped this round; one that fails does not stop the
 * others).
 */
@Injectable()
export class ResidentLedgerJob implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ResidentLedger');
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopped = false;
  private readonly runSeconds: Histogram;

  constructor(
    private readonly scopes: SiteScopes,
    private readonly dashboards: DashboardDevicesSync,
    private readonly retention: PrivacyRetention,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LEDGER_INTERVAL_MS) private readonly intervalMs: number,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.runSeconds = new Histogram({
      name: LEDGER_RUN_METRIC,
      help: 'How long a run of the residents’ ledger job took (the dashboards’ devices, the raw readings past consent, every îlot’s ledger), wall s; runs longer than ILOT_LEDGER_INTERVAL_S leave the ledger behind',
      buckets: [...LEDGER_RUN_BUCKETS_S],
      registers: [registry],
    });
  }

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const done = this.runSeconds.startTimer();
      this.running = this.run().finally(() => {
        done();
        this.schedule(this.intervalMs);
      });
    }, delayMs);
  }

  private async run(): Promise<void> {
    const scopes = this.scopes.all();
    const sites = scopes.map((scope) => scope.site);
    await this.dashboards
      .sync(sites)
      .catch((error: Error) => this.logger.error(`dashboard devices not written: ${error.message}`));
    await this.retention
      .apply(sites, this.clock.now())
      .catch((error: Error) => this.logger.error(`raw readings past consent not deleted: ${error.message}`));
    for (const { site, ledger } of scopes) {
      if (this.stopped) return;
      try {
        const written = await ledger.catchUp(this.clock.now());
        if (written === 'busy')
          this.logger.debug(`${site.id}: another process is writing its ledger, skipped this round`);
        else if (written)
          this.logger.debug(
            `${site.id}: steps ${written.from.toISOString()} to ${written.to.toISOString()}: ${written.steps} rows, months ${written.months.join(', ')}`,
          );
      } catch (error) {
        this.logger.error(
          `${site.id}: catching up failed (next try in ${this.intervalMs / 1000} s): ${(error as Error).message}`,
        );
      }
    }
  }
}
