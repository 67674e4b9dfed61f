import { Logger } from '@nestjs/common';
import type { Clock, Reading } from '@ilot/domain';
import { ReadingRepository } from '@ilot/timeseries';
import { IngestionMetrics } from './ingestion.metrics';

/**
 * Groups readings into multi-row inserts: a batch is written when it reaches `batchSize` or when
 * its first reading has waited `flushMs`, whichever comes first. One write at a time; a failed
 * write is retried, its readings kept in order.
 */
export class ReadingBatcher {
  private readonly logger = new Logger('ReadingBatcher');
  private pending: Reading[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly repository: ReadingRepository,
    private readonly clock: Clock,
    private readonly metrics: IngestionMetrics,
    private readonly options: { batchSize: number; flushMs: number; retryMs?: number },
  ) {}

  add(readings: readonly Reading[]): void {
    this.pending.push(...readings);
    if (this.pending.length >= this.options.batchSize) void this.flush();
    else if (!this.timer && !this.closed) this.timer = setTimeout(() => void this.flush(), this.options.flushMs);
  }

  /** Writes everything pending; resolves when it is committed. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return this.writing;
    this.writing = this.writing.then(() => this.write(batch));
    return this.writing;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private async write(batch: Reading[]): Promise<void> {
    for (let start = 0; start < batch.length; start += this.options.batchSize) {
      const chunk = batch.slice(start, start + this.options.batchSize);
      for (;;) {
        try {
          const { inserted, duplicates } = await this.repository.insertBatch(chunk, this.clock.now());
          this.record(chunk, inserted, duplicates);
          if (inserted > 0) await this.repository.notifyCommitted(chunk[0].siteId).catch(() => undefined);
          break;
        } catch (error) {
          if (this.closed) throw error;
          this.logger.warn(`write of ${chunk.length} readings failed, retrying: ${(error as Error).message}`);
          await new Promise((resolve) => setTimeout(resolve, this.options.retryMs ?? 1000));
        }
      }
    }
  }

  private record(chunk: Reading[], inserted: number, duplicates: number): void {
    const siteId = chunk[0].siteId;
    this.metrics.readings.inc({ site: siteId }, inserted);
    if (duplicates > 0) this.metrics.duplicates.inc({ site: siteId }, duplicates);
    const committedMs = this.clock.now().getTime();
    for (const reading of chunk) this.metrics.lagSeconds.observe({ site: siteId }, Math.max(committedMs - reading.ts.getTime(), 0) / 1000);
  }
}
