import { Logger } from '@nestjs/common';
import type { Clock, Reading } from '@ilot/domain';
import { ReadingRepository } from '@ilot/timeseries';
import { IngestionMetrics } from './ingestion.metrics';

/** A reading refused because another value is stored for its device and instant. */
export interface ConflictingReading {
  reading: Reading;
  storedPowerW: number;
  storedSeq: number;
}

interface Pending {
  readings: readonly Reading[];
  committed: (conflicts: ConflictingReading[]) => void;
  /** Keeps the message elsewhere (the spool) when the database fails: true once kept, and the add resolves with no conflict. */
  spill?: () => Promise<boolean>;
  settled?: boolean;
}

/**
 * Groups readings into multi-row inserts: a batch is written when it reaches `batchSize` readings
 * or when its first reading has waited `flushMs`, whichever comes first. Up to `writeConcurrency`
 * writes run at once (the next batch is parsed and sent while the database commits the previous
 * one); a failed write is retried until it succeeds (the database may be down), and each `add`
 * resolves only once its readings are committed: that is when their messages get acked, in
 * arrival order whatever order the writes commit in (DeferredPubacks). When a write fails, each
 * message of the batch that has a `spill` (the spool, issue 30 §3) is kept there instead and its
 * `add` resolves at once; only what could not be spilled is retried.
 */
export class ReadingBatcher {
  private readonly logger = new Logger('ReadingBatcher');
  private pending: Pending[] = [];
  private pendingReadings = 0;
  private timer: NodeJS.Timeout | undefined;
  /** Batches waiting for a write slot, and every write not yet committed (waiting or running). */
  private readonly queued: Array<{ batch: Pending[]; done: () => void }> = [];
  private readonly outstanding = new Set<Promise<void>>();
  private running = 0;
  private closed = false;

  constructor(
    private readonly repository: ReadingRepository,
    private readonly clock: Clock,
    private readonly metrics: IngestionMetrics,
    private readonly options: { batchSize: number; flushMs: number; writeConcurrency?: number; retryMs?: number },
  ) {}

  /**
   * Resolves when the readings are committed (or were already stored: duplicates), with those of them that conflict
   * with a different stored reading for the same device and instant (not stored; the caller keeps them as a reject).
   */
  add(readings: readonly Reading[], spill?: () => Promise<boolean>): Promise<ConflictingReading[]> {
    return new Promise((committed) => {
      this.pending.push({ readings, committed, spill });
      this.pendingReadings += readings.length;
      if (this.pendingReadings >= this.options.batchSize) void this.flush();
      else if (!this.timer && !this.closed) this.timer = setTimeout(() => void this.flush(), this.options.flushMs);
    });
  }

  /** Writes everything pending; resolves when it and every earlier write are committed. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    this.pendingReadings = 0;
    if (batch.length > 0) {
      const written = new Promise<void>((done) => this.queued.push({ batch, done }));
      this.outstanding.add(written);
      void written.then(() => this.outstanding.delete(written));
      this.startWrites();
    }
    return Promise.all([...this.outstanding]).then(() => undefined);
  }

  private startWrites(): void {
    while (this.running < (this.options.writeConcurrency ?? 1) && this.queued.length > 0) {
      const { batch, done } = this.queued.shift()!;
      this.running++;
      void this.write(batch)
        // Only a bug gets here (write retries database errors); the readings stay unacknowledged, so the broker redelivers them.
        .catch((error: Error) => this.logger.error(`batch write crashed: ${error.stack ?? error.message}`))
        .then(() => {
          this.running--;
          done();
          this.startWrites();
        });
    }
  }

  /** Writes what is pending, once: if that fails while closing, the readings are left to the broker's redelivery (they were never acked). */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private async write(batch: Pending[]): Promise<void> {
    // One site per statement, so that each site's counters get its own rows (a deployment of many îlots).
    const chunks = chunksBySite(
      batch.flatMap((p) => p.readings),
      this.options.batchSize,
    );
    const conflicts = new Map<Reading, ConflictingReading>();
    const spilled = new Set<Reading>();
    for (let chunk of chunks) {
      for (let attempt = 1; chunk.length > 0; attempt++) {
        try {
          const { inserted, duplicates } = await this.repository.insertBatch(chunk, this.clock.now());
          // Only a batch with duplicates can hold a second value for a stored instant: asked only then.
          const clashes = duplicates > 0 ? await this.repository.conflicting(chunk) : [];
          for (const c of clashes) conflicts.set(c.reading, c);
          this.record(chunk, inserted, duplicates - clashes.length);
          break;
        } catch (error) {
          if (this.closed) {
            this.logger.warn(
              `closing: readings not written (${(error as Error).message}); unacknowledged, the broker will redeliver them`,
            );
            return;
          }
          // The database is down: what can be kept on disk is, and acknowledged (issue 30 §3); the rest waits here.
          for (const reading of await this.spill(batch)) spilled.add(reading);
          chunk = chunk.filter((r) => !spilled.has(r));
          if (chunk.length === 0) break;
          if (attempt === 1 || attempt % 30 === 0)
            this.logger.warn(
              `write of ${chunk.length} readings failed (attempt ${attempt}), retrying: ${(error as Error).message}`,
            );
          await new Promise((resolve) => setTimeout(resolve, this.options.retryMs ?? 1000));
        }
      }
    }
    for (const pending of batch)
      if (!pending.settled) pending.committed(pending.readings.flatMap((r) => conflicts.get(r) ?? []));
  }

  /**
   * Hands every message of the batch not settled yet to its spill, all at once and in order (the spool then writes them
   * with one sync); the readings of those kept. Regression (the CI run of session 23's stop: a stock Mosquitto dropped 1 064 readings in
   * the database-outage fault test): each spill awaited the previous one, so a batch of up to 2 000 messages took one
   * fdatasync each, in turn, while every PUBACK behind them waited; on a busy disk the ingester's window and the
   * broker's queue of 1 000 filled, and the broker dropped what came next.
   */
  private async spill(batch: Pending[]): Promise<Reading[]> {
    const open = batch.filter((pending) => !pending.settled && pending.spill);
    const kept = await Promise.all(open.map((pending) => pending.spill!()));
    return open.flatMap((pending, i) => {
      if (!kept[i]) return [];
      pending.settled = true;
      pending.committed([]);
      return [...pending.readings];
    });
  }

  private record(chunk: Reading[], inserted: number, duplicates: number): void {
    const siteId = chunk[0].siteId;
    this.metrics.countStored(siteId, inserted, duplicates);
    const committedMs = this.clock.now().getTime();
    for (const reading of chunk)
      this.metrics.lagSeconds.observe({ site: siteId }, Math.max(committedMs - reading.ts.getTime(), 0) / 1000);
  }
}

/** Readings in chunks of at most `size`, each of one site (arrival order kept within a site). */
export function chunksBySite(readings: readonly Reading[], size: number): Reading[][] {
  const bySite = new Map<string, Reading[]>();
  for (const reading of readings) {
    const ofSite = bySite.get(reading.siteId) ?? [];
    ofSite.push(reading);
    bySite.set(reading.siteId, ofSite);
  }
  return [...bySite.values()].flatMap((ofSite) =>
    Array.from({ length: Math.ceil(ofSite.length / size) }, (_, i) => ofSite.slice(i * size, (i + 1) * size)),
  );
}
