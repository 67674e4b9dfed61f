import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Clock } from '@ilot/domain';
import { CLOCK } from '@ilot/runtime';
import { SiteScopes } from '@ilot/residents';
import { DashboardDevicesSync } from './dashboard-devices.sync';
import { PrivacyRetention } from '@ilot/residents';

/** Injection token of the ledger's period, ms of wall time. */
export const LEDGER_INTERVAL_MS = Symbol('LEDGER_INTERVAL_MS');

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

  constructor(
    private readonly scopes: SiteScopes,
    private readonly dashboards: DashboardDevicesSync,
    private readonly retention: PrivacyRetention,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(LEDGER_INTERVAL_MS) private readonly intervalMs: number,
  ) {}

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
      this.running = this.run().finally(() => this.schedule(this.intervalMs));
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
