import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The ingestion metrics of docs/design.md. */
export class IngestionMetrics {
  readonly readings: Counter<'site'>;
  readonly duplicates: Counter<'site'>;
  readonly meterResets: Counter<'site'>;
  readonly lagSeconds: Histogram<'site'>;
  readonly unackedMessages: Gauge<'site'>;
  /** Read at each scrape: the site and its count of messages received and not yet acknowledged. */
  unackedSource: (() => { site: string; count: number }) | undefined;

  constructor(registry: Registry) {
    this.readings = new Counter({
      name: 'ilot_ingest_readings_total',
      help: 'Readings committed to the database',
      labelNames: ['site'],
      registers: [registry],
    });
    this.duplicates = new Counter({
      name: 'ilot_ingest_duplicates_total',
      help: 'Readings received again and not stored twice',
      labelNames: ['site'],
      registers: [registry],
    });
    this.meterResets = new Counter({
      name: 'ilot_ingest_meter_resets_total',
      help: 'Gas, water or heat meter indexes that fell or leapt without a rollover (a meter swapped): quantity unknown, not counted',
      labelNames: ['site'],
      registers: [registry],
    });
    this.lagSeconds = new Histogram({
      name: 'ilot_ingest_lag_seconds',
      help: 'Time from a reading timestamp to its commit, seconds of simulated time',
      labelNames: ['site'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: [registry],
    });
    this.unackedMessages = new Gauge({
      name: 'ilot_ingest_unacked_messages',
      help: 'Messages received and not yet acknowledged (waiting for their commit); above ILOT_INGEST_MAX_INFLIGHT the broker ignores Receive Maximum',
      labelNames: ['site'],
      registers: [registry],
      collect: () => {
        const source = this.unackedSource?.();
        if (source) this.unackedMessages.set({ site: source.site }, source.count);
      },
    });
  }

  /** The one place stored readings are counted, electric and gas, water or heat alike: inserted, and those received again. */
  countStored(siteId: string, inserted: number, duplicates: number): void {
    this.readings.inc({ site: siteId }, inserted);
    if (duplicates > 0) this.duplicates.inc({ site: siteId }, duplicates);
  }
}
