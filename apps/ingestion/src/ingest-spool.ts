import { Logger } from '@nestjs/common';
import {
  closeSync,
  fdatasyncSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';

/** A message as it came from the broker, kept to be processed once the database is back. */
export interface SpooledMessage {
  topic: string;
  payload: Buffer;
  receivedAt: Date;
}

/** A segment of the spool taken for replay: its messages in arrival order, removed once they are stored. */
export interface SpoolSegment {
  name: string;
  messages: SpooledMessage[];
  /** Lines that could not be read (a write torn by a crash: its message was never acknowledged, the broker resends it). */
  torn: number;
}

const SEGMENT = /^spool-(\d{12})\.jsonl$/;

/**
 * A bounded durable inbox on local disk (issue 30 §3): while the database is down the ingester appends each message it
 * cannot store, as received, and acknowledges it only once the append is on disk (`fdatasync`), so an outage longer
 * than the broker's queue loses nothing. Appends are grouped: every message enqueued in the same turn of the event
 * loop shares one write and one sync. Files of at most `segmentBytes`, replayed oldest first and deleted once stored;
 * at most `maxBytes` in all, past which an append is refused (the caller then holds the PUBACK: the broker keeps the
 * message). A spool left by a crash is found again at start.
 */
export class IngestSpool {
  private readonly logger = new Logger('IngestSpool');
  private bytesHeld = 0;
  private next = 0;
  private fd: number | undefined;
  private activeName: string | undefined;
  private activeBytes = 0;
  private queue: Array<{ line: Buffer; done: (kept: boolean) => void }> = [];
  private scheduled = false;

  constructor(
    private readonly dir: string,
    private readonly maxBytes: number,
    private readonly segmentBytes = 4 * 1024 * 1024,
  ) {
    mkdirSync(dir, { recursive: true });
    for (const name of this.segments()) {
      this.bytesHeld += statSync(join(dir, name)).size;
      this.next = Math.max(this.next, Number(SEGMENT.exec(name)![1]) + 1);
    }
  }

  /** Bytes on disk now. */
  get bytes(): number {
    return this.bytesHeld;
  }

  /** Whether anything waits to be replayed. */
  get holds(): boolean {
    return this.bytesHeld > 0 || this.queue.length > 0;
  }

  /** Appends a message; resolves true once it is on disk, false when the spool is full (nothing written). */
  append(message: SpooledMessage): Promise<boolean> {
    const line = Buffer.from(
      JSON.stringify({ t: message.topic, p: message.payload.toString('base64'), r: message.receivedAt.toISOString() }) +
        '\n',
    );
    return new Promise((done) => {
      this.queue.push({ line, done });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /** Writes every message queued in one write and one sync; those past the bound are refused. */
  private flush(): void {
    this.scheduled = false;
    const queued = this.queue;
    this.queue = [];
    const kept: typeof queued = [];
    let room = this.maxBytes - this.bytesHeld;
    for (const entry of queued) {
      if (entry.line.length <= room) {
        kept.push(entry);
        room -= entry.line.length;
      } else entry.done(false);
    }
    if (kept.length === 0) return;
    try {
      const data = Buffer.concat(kept.map((e) => e.line));
      const fd = this.activeFd(data.length);
      writeSync(fd, data);
      fdatasyncSync(fd);
      this.activeBytes += data.length;
      this.bytesHeld += data.length;
      for (const entry of kept) entry.done(true);
    } catch (error) {
      // The disk failed us: nothing acknowledged, the messages stay with the broker.
      this.logger.error(`spool write failed (${(error as Error).message}): the messages are not acknowledged`);
      for (const entry of kept) entry.done(false);
    }
  }

  /** The segment being written, a new one when it would pass its size. */
  private activeFd(adding: number): number {
    if (this.fd !== undefined && this.activeBytes + adding > this.segmentBytes) this.closeActive();
    if (this.fd === undefined) {
      this.activeName = `spool-${String(this.next++).padStart(12, '0')}.jsonl`;
      this.fd = openSync(join(this.dir, this.activeName), 'a');
      this.activeBytes = fstatSync(this.fd).size;
    }
    return this.fd;
  }

  private closeActive(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.activeName = undefined;
  }

  private segments(): string[] {
    return readdirSync(this.dir)
      .filter((name) => SEGMENT.test(name))
      .sort();
  }

  /** The oldest segment with its messages (the one being written is closed first when it is the last); none when empty. */
  oldest(): SpoolSegment | undefined {
    const [name] = this.segments();
    if (!name) return undefined;
    if (name === this.activeName) this.closeActive();
    const messages: SpooledMessage[] = [];
    let torn = 0;
    for (const line of readFileSync(join(this.dir, name), 'utf8').split('\n')) {
      if (!line) continue;
      try {
        const entry = JSON.parse(line) as { t: string; p: string; r: string };
        messages.push({ topic: entry.t, payload: Buffer.from(entry.p, 'base64'), receivedAt: new Date(entry.r) });
      } catch {
        torn++;
      }
    }
    return { name, messages, torn };
  }

  /** Deletes a segment whose messages are stored. */
  remove(segment: SpoolSegment): void {
    const path = join(this.dir, segment.name);
    const size = statSync(path).size;
    unlinkSync(path);
    this.bytesHeld = Math.max(this.bytesHeld - size, 0);
  }

  close(): void {
    this.closeActive();
  }
}
