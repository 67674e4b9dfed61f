import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { type Clock, HOUR_MS } from '@ilot/domain';
import { CLOCK, METRICS_REGISTRY, SiteCatalog } from '@ilot/runtime';
import { SeqGapRepository } from '@ilot/timeseries';
import { Counter, type Registry } from 'prom-client';
import { INGESTION_CONFIG } from './ingestion.tokens';
import type { IngestionConfig } from './ingestion.config';

/** A device never checked is checked from this far back (a day: its first check after a deployment stays small). */
const FIRST_CHECK_MS = 24 * HOUR_MS;

/**
 * Loss seen whatever the broker (issue 30 §3): every `ILOT_INGEST_SEQ_CHECK_S`, the readings stored since the last
 * check are checked for gaps in each device's `seq`, but for a device whose readings are still arriving (one received
 * within `ILOT_INGEST_SEQ_SETTLE_S`: those from it on wait for a later check); each gap is counted once (whichever ingester checks), the devices named in the log, a device's
 * restart (its seq falls) told apart from a gap.
 */
@Injectable()
export class SeqGaps implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('SeqGaps');
  private timer?: NodeJS.Timeout;
  private readonly gaps: Counter<'site'>;
  private readonly missing: Counter<'site'>;
  private readonly restarts: Counter<'site'>;
  private running: Promise<void> | undefined;

  constructor(
    private readonly repository: SeqGapRepository,
    private readonly catalog: SiteCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(INGESTION_CONFIG) private readonly config: IngestionConfig,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    const counter = (name: string, help: string) =>
      new Counter({ name, help, labelNames: ['site'], registers: [registry] });
    this.gaps = counter(
      'ilot_ingest_seq_gaps_total',
      "Gaps in a device's seq: readings that never reached the table (lost on the way, or refused)",
    );
    this.missing = counter('ilot_ingest_seq_missing_total', "Readings missing in the gaps of the devices' seq");
    this.restarts = counter(
      'ilot_ingest_device_restarts_total',
      "Falls of a device's seq: the device restarted and counts again (not a gap)",
    );
  }

  onApplicationBootstrap(): void {
    const everyMs = this.config.ILOT_INGEST_SEQ_CHECK_S * 1000;
    if (everyMs <= 0) return;
    this.timer = setInterval(() => {
      this.running ??= this.checkAll().finally(() => (this.running = undefined));
    }, everyMs);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One check of every site served. */
  async checkAll(): Promise<void> {
    const now = this.clock.now().getTime();
    // Received_at is the clock's time: the settling time, wall seconds, runs `speedup` times faster there.
    const receivedBefore = new Date(now - this.config.ILOT_INGEST_SEQ_SETTLE_S * 1000 * this.clock.speedup);
    const firstFrom = new Date(now - FIRST_CHECK_MS);
    for (const { site } of this.catalog.sites()) {
      try {
        const devices = await this.repository.check(site.id, [...site.devices.keys()], receivedBefore, firstFrom);
        for (const d of devices ?? []) {
          if (d.gaps) this.gaps.inc({ site: site.id }, d.gaps);
          if (d.missing) this.missing.inc({ site: site.id }, d.missing);
          if (d.restarts) this.restarts.inc({ site: site.id }, d.restarts);
        }
        const lossy = (devices ?? []).filter((d) => d.gaps > 0);
        if (lossy.length)
          this.logger.warn(
            `${site.id}: readings missing by their seq: ${lossy
              .map(
                (d) =>
                  `${d.deviceId} ${d.missing} in ${d.gaps} gap(s), the first before ${d.firstGapAt!.toISOString()}`,
              )
              .join('; ')} (lost on the way or refused: ilot_ingest_rejected_total, docs/scaling.md)`,
          );
      } catch (error) {
        this.logger.error(`${site.id}: seq not checked: ${(error as Error).message}`);
      }
    }
  }
}
