/**
 * The connection's power as a meter on this gateway last read it (W, > 0 importing), kept for the batteries that track
 * the plan's grid power (docs/controller-guide.md: `gridTargetW`, `gridLimitW`). A reading older than `maxAgeMs` is no
 * measurement: the battery then holds its setpoint, as a controller that does not measure the connection does.
 */
export class GridPower {
  private readonly latest = new Map<string, { powerW: number; atMs: number }>();

  set(meterId: string, powerW: number, atMs: number): void {
    this.latest.set(meterId, { powerW, atMs });
  }

  /** The meter's last reading if it is no older than `maxAgeMs`: its power and when it was read (ms). */
  get(meterId: string, nowMs: number, maxAgeMs: number): { powerW: number; atMs: number } | undefined {
    const reading = this.latest.get(meterId);
    return reading && nowMs - reading.atMs <= maxAgeMs ? reading : undefined;
  }
}
