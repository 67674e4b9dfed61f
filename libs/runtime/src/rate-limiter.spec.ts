import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('lets a burst through, then refuses with the wait until the next request', () => {
    const limiter = new RateLimiter(60, 3); // one a second on average, three at once
    const at0 = [1, 2, 3, 4].map(() => limiter.take('a', 0));
    expect(at0).toEqual([{ allowed: true }, { allowed: true }, { allowed: true }, { allowed: false, retryAfterS: 1 }]);
    expect(limiter.take('a', 1000)).toEqual({ allowed: true });
    expect(limiter.take('a', 1000)).toEqual({ allowed: false, retryAfterS: 1 });
  });

  it('counts each client apart', () => {
    const limiter = new RateLimiter(60, 1);
    expect(limiter.take('a', 0).allowed).toBe(true);
    expect(limiter.take('a', 0).allowed).toBe(false);
    expect(limiter.take('b', 0).allowed).toBe(true);
  });

  it('refills at the rate, never above the burst', () => {
    const limiter = new RateLimiter(120, 2); // one every 500 ms
    limiter.take('a', 0);
    limiter.take('a', 0);
    expect(limiter.take('a', 400).allowed).toBe(false);
    expect(limiter.take('a', 10_000).allowed).toBe(true);
    expect(limiter.take('a', 10_000).allowed).toBe(true);
    expect(limiter.take('a', 10_000).allowed).toBe(false);
  });

  it('forgets clients idle long enough to be full again', () => {
    const limiter = new RateLimiter(60, 5);
    for (let k = 0; k < 100; k++) limiter.take(`client-${k}`, 0);
    expect(limiter.size).toBe(100);
    limiter.take('late', 120_000);
    expect(limiter.size).toBe(1);
  });

  it('refuses a limit that lets nothing through', () => {
    expect(() => new RateLimiter(0)).toThrow('a rate limit needs perMinute > 0 and burst >= 1');
  });
});
