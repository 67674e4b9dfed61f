import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { type Clock, HOUR_MS } from '@ilot/domain';
import { CLOCK, collectSafely, METRICS_REGISTRY, SiteCatalog } from '@ilot/runtime';
import { ReadingRepository } from '@ilot/timeseries';
import { Gauge, type Registry } from 'prom-client';

/** How far back the count looks: an hour of readings (a broker's queue lost in a restart shows within it). */
const WINDOW_MS = HOUR_MS;
/** After start, the broker first delivers what it queued for the session: the count waits for that, real ms. */
export const MISSING_CHECK_DELAY_MS = Symbol('MISSING_CHECK_DELAY_MS');

/**
 * Readings that never reached the table, from the gaps in each device's `seq` (issue 25): the no-loss guarantee rests
 * on the broker's settings (persistent sessions, queues bounded by bytes: deploy/mosquitto, docs/scaling.md), and a
 * broker without them drops readings silently. Exported at each scrape as `ilot_ingest_missing_readings{site}` (the
 * last hour), and said once in the log a little after start, when the broker has delivered what it queued.
 */
@Injectable()
export class MissingReadings implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('MissingReadings');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly readings: ReadingRepository,
    private readonly catalog: SiteCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(METRICS_REGISTRY) registry: Registry,
    @Inject(MISSING_CHECK_DELAY_MS) private readonly delayMs: number,
  ) {
    const gauge: Gauge<'site'> = new Gauge({
      name: 'ilot_ingest_missing_readings',
      help: "Readings missing over the last hour by the gaps in each device's seq (lost on the way, or refused)",
      labelNames: ['site'],
      registers: [registry],
      collect: async () => {
        gauge.reset();
        await collectSafely({ name: 'ilot_ingest_missing_readings', reset: () => gauge.reset() }, async () => {
          for (const [site, missing] of await this.bySite()) gauge.set({ site }, missing);
        });
      },
    });
  }

  onApplicationBootstrap(): void {
    this.timer = setTimeout(() => void this.report(), this.delayMs);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearTimeout(this.timer);
  }

  /** Missing readings of the last hour, per site served. */
  async bySite(): Promise<Map<string, number>> {
    const now = this.clock.now();
    const from = new Date(now.getTime() - WINDOW_MS);
    const result = new Map<string, number>();
    for (const { site } of this.catalog.sites()) {
      const byDevice = await this.readings.missingBySeq(site.id, from, now);
      result.set(
        site.id,
        [...byDevice.values()].reduce((sum, n) => sum + n, 0),
      );
    }
    return result;
  }

  private async report(): Promise<void> {
    try {
      const missing = [...(await this.bySite())].filter(([, n]) => n > 0);
      if (missing.length)
        this.logger.warn(
          `readings missing over the last hour by their seq: ${missing.map(([site, n]) => `${site} ${n}`).join(', ')}` +
            ' (lost on the way or refused: check the broker keeps sessions and queues, docs/scaling.md, and ilot_ingest_rejected_total)',
        );
      else this.logger.log('no reading missing over the last hour (by their seq)');
    } catch (error) {
      this.logger.error(`missing readings not counted: ${(error as Error).message}`);
    }
  }
}
