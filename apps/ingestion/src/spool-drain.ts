import { Logger } from '@nestjs/common';
import type { IngestSpool, SpooledMessage } from './ingest-spool';
import type { IngestionMetrics } from './ingestion.metrics';

/** Messages of a segment processed at once when replaying: bounds the memory of a replay. */
const REPLAY_WINDOW = 500;

/**
 * The spool's two ends (issue 30 §3): `keep` puts a message the database could not take on disk and turns spooling on;
 * while it is on, every new message goes to the spool too (so nothing overtakes what waits there), and a loop replays
 * the oldest segment through the normal processing, without spilling (a replayed message waits for the database),
 * deleting each segment once stored. Spooling turns off when the spool is empty.
 */
export class SpoolDrain {
  private readonly logger = new Logger('IngestSpool');
  private on = false;
  private stopped = false;

  constructor(
    private readonly spool: IngestSpool,
    private readonly process: (message: SpooledMessage) => Promise<unknown>,
    private readonly metrics: IngestionMetrics,
    private readonly site: string,
    private readonly retryMs = 1000,
  ) {}

  /** Whether new messages go to the spool (the database failed and the spool is not empty yet). */
  get active(): boolean {
    return this.on;
  }

  /** Keeps a message on disk; true once it is there (its PUBACK may go), false when the spool is full. */
  async keep(message: SpooledMessage): Promise<boolean> {
    const kept = await this.spool.append(message);
    if (kept) {
      this.metrics.spooled.inc({ site: this.site });
      this.start();
    } else this.metrics.spoolFull.inc({ site: this.site });
    return kept;
  }

  /** Turns spooling on (a message was spooled, or the spool holds what a crash left) and replays what it holds. */
  start(): void {
    if (this.on || this.stopped) return;
    this.on = true;
    this.logger.warn(
      `the database does not take messages: spooling them to disk (${(this.spool.bytes / 1e6).toFixed(1)} MB held), replayed when it is back`,
    );
    void this.drain();
  }

  private async drain(): Promise<void> {
    let replayed = 0;
    while (!this.stopped) {
      await new Promise((resolve) => setTimeout(resolve, this.retryMs));
      const segment = this.spool.oldest();
      if (!segment) {
        if (this.spool.holds) continue;
        this.on = false;
        this.logger.log(`spool replayed: ${replayed} messages stored, back to writing directly`);
        return;
      }
      if (segment.torn) this.logger.warn(`${segment.name}: ${segment.torn} torn line(s) skipped (never acknowledged)`);
      for (let i = 0; i < segment.messages.length && !this.stopped; i += REPLAY_WINDOW)
        await Promise.all(segment.messages.slice(i, i + REPLAY_WINDOW).map((m) => this.process(m)));
      if (this.stopped) return;
      this.spool.remove(segment);
      replayed += segment.messages.length;
      this.metrics.replayed.inc({ site: this.site }, segment.messages.length);
    }
  }

  /**
   * Stops replaying (shutdown): a segment half replayed stays on disk and is replayed at the next start (storage is
   * idempotent). Not awaited: a replay waiting for the database never ends once the batcher is closed.
   */
  stop(): void {
    this.stopped = true;
    this.spool.close();
  }
}
