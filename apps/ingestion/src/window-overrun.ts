/**
 * Episodes of a broker overrunning the Receive Maximum window, from the count of messages held unacknowledged: one
 * starts when the count goes above the window, and ends only once it falls to half the window (the count hovers
 * around the window while the reader is held back). Regression: one warning per crossing, hundreds in a burst.
 */
export class WindowOverrun {
  private peak: number | undefined;

  constructor(private readonly window: number) {}

  /** What the count `held` changes: an episode that starts, one that ends with its peak, or nothing. */
  observe(held: number): { started: number } | { ended: { peak: number } } | undefined {
    if (this.peak === undefined) {
      if (held <= this.window) return undefined;
      this.peak = held;
      return { started: held };
    }
    this.peak = Math.max(this.peak, held);
    if (held > this.window / 2) return undefined;
    const peak = this.peak;
    this.peak = undefined;
    return { ended: { peak } };
  }
}
