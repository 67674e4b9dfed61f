/** The one way to read time. Pure logic takes `now` as an argument; edges hold a Clock. */
export interface Clock {
  now(): Date;
  /** How many real milliseconds one simulated millisecond lasts (1 / speedup). */
  readonly speedup: number;
}

export class SystemClock implements Clock {
  readonly speedup = 1;
  now(): Date {
    return new Date();
  }
}

/**
 * Simulated time that runs `speedup` times faster than the wall clock, from a shared origin.
 * Every app and simulator of one demo holds the same origin, so all agree on "now".
 */
export class ScaledClock implements Clock {
  constructor(
    readonly originRealMs: number,
    readonly originSimMs: number,
    readonly speedup: number,
    private readonly realNowMs: () => number = Date.now,
  ) {
    if (!(speedup > 0) || !Number.isFinite(speedup))
      throw new RangeError(`speedup must be a positive number, got ${speedup}`);
  }
  now(): Date {
    return new Date(this.originSimMs + (this.realNowMs() - this.originRealMs) * this.speedup);
  }
}
