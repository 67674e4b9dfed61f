import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The ingestion metrics of docs/design.md. */
export class IngestionMetrics {
  readonly readings: Counter<'site'>;
  readonly duplicates: Counter<'site'>;
  readonly meterResets: Counter<'site'>;
  readonly lagSeconds: Histogram<'site'>;
  readonly unackedMessages: Gauge<'site'>;
  readonly spooled: Counter<'site'>;
  readonly replayed: Counter<'site'>;
  readonly spoolFull: Counter<'site'>;
  readonly spoolBytes: Gauge<'site'>;
  /** Read at each scrape: the site label and the spool's bytes on disk. */
  spoolSource: (() => { site: string; bytes: number }) | undefined;
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
    ({
      spooled: this.spooled,
      replayed: this.replayed,
      spoolFull: this.spoolFull,
      spoolBytes: this.spoolBytes,
    } = this.spoolMetrics(registry));
  }

  /** Counted apart so the constructor stays readable: the spool's (issue 30 §3). */
  private spoolMetrics(registry: Registry) {
    return {
      spooled: new Counter({
        name: 'ilot_ingest_spooled_total',
        help: 'Messages the database could not take, kept in the spool on local disk (fsynced) and acknowledged',
        labelNames: ['site'],
        registers: [registry],
      }),
      replayed: new Counter({
        name: 'ilot_ingest_spool_replayed_total',
        help: 'Spooled messages processed again once the database was back',
        labelNames: ['site'],
        registers: [registry],
      }),
      spoolFull: new Counter({
        name: 'ilot_ingest_spool_full_total',
        help: 'Messages the spool refused (full, ILOT_INGEST_SPOOL_MAX_MB): their PUBACK waits, the broker keeps them',
        labelNames: ['site'],
        registers: [registry],
      }),
      spoolBytes: new Gauge({
        name: 'ilot_ingest_spool_bytes',
        help: 'Bytes of messages waiting in the spool on local disk',
        labelNames: ['site'],
        registers: [registry],
        collect: () => {
          const source = this.spoolSource?.();
          if (source) this.spoolBytes.set({ site: source.site }, source.bytes);
        },
      }),
    };
  }

  /** The one place stored readings are counted, electric and gas, water or heat alike: inserted, and those received again. */
  countStored(siteId: string, inserted: number, duplicates: number): void {
    this.readings.inc({ site: siteId }, inserted);
    if (duplicates > 0) this.duplicates.inc({ site: siteId }, duplicates);
  }
}
