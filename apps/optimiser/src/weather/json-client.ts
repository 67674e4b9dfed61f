/** How a provider's answer failed, as the fetches counter labels it. */
export type FetchOutcome = 'ok' | 'timeout' | 'http_error' | 'rate_limited' | 'invalid';

export class FetchFailure extends Error {
  constructor(
    readonly outcome: Exclude<FetchOutcome, 'ok'>,
    message: string,
    /** Rate limited: no request before this instant (real ms), from the answer's Retry-After. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface JsonClientOptions {
  /** One request's budget, real ms (headers and body). */
  timeoutMs: number;
  /** Requests made at most, the first included. */
  tries: number;
  /** The wait before the second try, real ms; doubled before each next one. */
  retryBaseMs: number;
  /** A Retry-After up to this is waited for; a longer one ends the fetch (the provider is asked again after it). */
  maxRetryAfterMs: number;
  headers?: Record<string, string>;
  /** The real clock and the wait (tests give their own). */
  nowMs?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

/** Retry-After in seconds or as an HTTP date, as ms from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const dateMs = Date.parse(header);
  return Number.isNaN(dateMs) ? undefined : Math.max(dateMs - nowMs, 0);
}

/**
 * GETs a JSON document with a timeout, retries with a doubling backoff on timeouts, network errors and 5xx, and
 * honours a 429's Retry-After (waited for when short, else the fetch ends with the instant to ask again). A 4xx
 * other than 429 is not retried (asking again will not change it). Throws a FetchFailure naming what went wrong.
 */
export async function getJson(url: string, options: JsonClientOptions): Promise<unknown> {
  const nowMs = options.nowMs ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  let last: FetchFailure | undefined;
  for (let attempt = 0; attempt < options.tries; attempt++) {
    if (attempt > 0) await sleep(options.retryBaseMs * 2 ** (attempt - 1));
    try {
      const response = await fetch(url, {
        signal: AbortSignal.timeout(options.timeoutMs),
        headers: { accept: 'application/json', ...options.headers },
      });
      const text = await response.text();
      if (response.status === 429) {
        const waitMs = retryAfterMs(response.headers.get('retry-after'), nowMs()) ?? options.retryBaseMs * 2 ** attempt;
        last = new FetchFailure(
          'rate_limited',
          `429 Too Many Requests (retry after ${Math.round(waitMs / 1000)} s)`,
          nowMs() + waitMs,
        );
        if (waitMs > options.maxRetryAfterMs) throw last;
        await sleep(waitMs);
        continue;
      }
      if (!response.ok) {
        last = new FetchFailure('http_error', `HTTP ${response.status}: ${text.slice(0, 200)}`);
        if (response.status < 500) throw last;
        continue;
      }
      try {
        return JSON.parse(text);
      } catch {
        // A cut connection's half a document: asked again, it may come whole.
        last = new FetchFailure('invalid', `the answer is not JSON (${text.length} characters, truncated?)`);
      }
    } catch (error) {
      if (error instanceof FetchFailure) throw error;
      const name = (error as Error).name;
      last =
        name === 'TimeoutError' || name === 'AbortError'
          ? new FetchFailure('timeout', `no answer within ${options.timeoutMs} ms`)
          : new FetchFailure('http_error', `request failed: ${(error as Error).message}`);
    }
  }
  throw last ?? new FetchFailure('http_error', 'no try made');
}
