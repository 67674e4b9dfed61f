import { HISTORY_MS } from '@ilot/domain';
/**
 * How long readings live and when they are rolled up, in one place: the migration writes these
 * into TimescaleDB's policies, and ingestion's lateness limit is checked against them at start.
 */
export const STORAGE_POLICY = {
  /** Hypertable chunk width. */
  chunkInterval: '1 day',
  /** The latest a reading may arrive and still be stored and aggregated (ingestion refuses older ones). */
  maxLatenessS: HISTORY_MS / 1000,
  /**
   * A reading stored this long after its time or later marks its site's resident ledger to be computed again from its
   * step (ledger_marks, in the insert's statement); the ledger computes the steps younger than twice this at every run.
   */
  ledgerLateMarkS: 3600,
  /** Continuous aggregates re-read this far back at each refresh, so a reading up to `maxLatenessS` late is folded in. */
  refreshLookback: '8 days',
  /** Raw chunks are compressed once older than this; it must exceed `maxLatenessS` so ingestion never writes into a compressed chunk. */
  compressAfter: '8 days',
  /** Raw readings are dropped after this; the aggregates keep the history for reports. */
  rawRetention: '400 days',
  /** 15-minute aggregates are dropped after this; hourly ones are kept. */
  quarterHourRetention: '3 years',
  /** The resident ledger (each participant's 15-min steps, personal data) is kept as long as the 15-min aggregates it is made from, months. */
  residentLedgerRetentionMonths: 36,
} as const;

/** Aggregate tables (or continuous aggregates) by bucket width in minutes, coarsest first. */
export const AGGREGATES: ReadonlyArray<{ minutes: number; relation: 'readings_1h' | 'readings_15m' }> = [
  { minutes: 60, relation: 'readings_1h' },
  { minutes: 15, relation: 'readings_15m' },
];

/** `timescaledb` when readings are a hypertable with continuous aggregates; `postgresql` when the service keeps rollup tables. */
export type StorageMode = 'timescaledb' | 'postgresql';
