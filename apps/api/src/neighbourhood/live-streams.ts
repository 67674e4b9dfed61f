import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { finalize, type Observable } from 'rxjs';
import { clientAddress } from '@ilot/runtime';
import { API_CONFIG, type ApiConfig } from '../api.config';

/**
 * The live pages' event streams (issue 26: 1 000 lobby streams from one address took 1.1 of 2 cores and /readyz from
 * 8 ms to 1.2 s): at most ILOT_LIVE_MAX_STREAMS open at once and ILOT_LIVE_MAX_STREAMS_PER_ADDRESS from one client
 * address, beyond which a new one is refused (429, with the reason). The streams of one page share one feed
 * (live-feeds.ts, issue 30 §4); `shared` lets the feeds of one page in two languages share one reading of its figures.
 */
@Injectable()
export class LiveStreams {
  private readonly open = new Map<string, number>();
  private total = 0;
  private readonly reads = new Map<string, { at: number; value: Promise<unknown> }>();

  constructor(@Inject(API_CONFIG) private readonly config: ApiConfig) {}

  /** `stream` counted against the limits while it is subscribed; refused with 429 when a limit is reached. */
  admit<T>(request: Request, stream: Observable<T>): Observable<T> {
    const address = clientAddress(request);
    const fromAddress = this.open.get(address) ?? 0;
    if (this.total >= this.config.ILOT_LIVE_MAX_STREAMS)
      throw new HttpException(
        `too many live streams open (${this.total}, ILOT_LIVE_MAX_STREAMS): try again later`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    if (fromAddress >= this.config.ILOT_LIVE_MAX_STREAMS_PER_ADDRESS)
      throw new HttpException(
        `too many live streams from ${address} (${fromAddress}, ILOT_LIVE_MAX_STREAMS_PER_ADDRESS): close one first`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    this.total++;
    this.open.set(address, fromAddress + 1);
    let released = false;
    return stream.pipe(
      finalize(() => {
        if (released) return;
        released = true;
        this.total--;
        const left = (this.open.get(address) ?? 1) - 1;
        if (left > 0) this.open.set(address, left);
        else this.open.delete(address);
      }),
    );
  }

  /** One reading of `key`'s figures for every stream asking within half a push period of it (or while it runs). */
  shared<T>(key: string, read: () => Promise<T>, nowMs: number = Date.now()): Promise<T> {
    const last = this.reads.get(key);
    if (last && nowMs - last.at < (this.config.ILOT_LIVE_PUSH_S * 1000) / 2) return last.value as Promise<T>;
    const value = read();
    this.reads.set(key, { at: nowMs, value });
    // A failed reading is not kept: the next round asks again.
    value.catch(() => this.reads.get(key)?.value === value && this.reads.delete(key));
    return value;
  }

  /** Streams open now, in all. */
  get openCount(): number {
    return this.total;
  }
}
