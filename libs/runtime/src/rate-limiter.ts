/**
 * A token bucket per client: `perMinute` requests a minute on average, bursts up to `burst`. Time is given, not read.
 * Clients idle long enough to be full again are forgotten, so the table stays bounded by the clients of the last minute.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; atMs: number }>();
  private lastSweepMs = 0;

  constructor(
    private readonly perMinute: number,
    private readonly burst: number = perMinute,
  ) {
    if (!(perMinute > 0) || !(burst >= 1)) throw new RangeError('a rate limit needs perMinute > 0 and burst >= 1');
  }

  /** Takes one request of `client` at `nowMs`: allowed, or refused with the seconds until the next one is. */
  take(client: string, nowMs: number): { allowed: true } | { allowed: false; retryAfterS: number } {
    this.sweep(nowMs);
    const refillPerMs = this.perMinute / 60_000;
    const known = this.buckets.get(client);
    const tokens = known ? Math.min(this.burst, known.tokens + (nowMs - known.atMs) * refillPerMs) : this.burst;
    if (tokens >= 1) {
      this.buckets.set(client, { tokens: tokens - 1, atMs: nowMs });
      return { allowed: true };
    }
    this.buckets.set(client, { tokens, atMs: nowMs });
    return { allowed: false, retryAfterS: Math.ceil((1 - tokens) / refillPerMs / 1000) };
  }

  /** Clients tracked now. */
  get size(): number {
    return this.buckets.size;
  }

  private sweep(nowMs: number): void {
    if (nowMs - this.lastSweepMs < 60_000) return;
    this.lastSweepMs = nowMs;
    const fullAfterMs = (this.burst / this.perMinute) * 60_000;
    for (const [client, bucket] of this.buckets) if (nowMs - bucket.atMs >= fullAfterMs) this.buckets.delete(client);
  }
}
