import { MINUTE_MS } from '@ilot/domain';

/**
 * An operator's measured history (`ilot simulate --history`): per device, its mean power over each interval of one
 * constant step, W, from the interval's UTC start. The replay's world reads it instead of the shipped profiles: a
 * device's power at an instant is that of the interval holding it (zero-order hold); a device without a series draws
 * nothing (its consumption is in the meters that measured it).
 */
export class MeasuredHistory {
  readonly startMs: number;
  /** The end of the last interval. */
  readonly endMs: number;
  readonly stepMs: number;
  private readonly byDevice: ReadonlyMap<string, readonly number[]>;

  constructor(series: {
    slotStarts: readonly Date[];
    slotMinutes: number;
    powerW: ReadonlyMap<string, readonly number[]>;
  }) {
    this.stepMs = series.slotMinutes * MINUTE_MS;
    this.startMs = series.slotStarts[0].getTime();
    this.endMs = series.slotStarts.at(-1)!.getTime() + this.stepMs;
    this.byDevice = series.powerW;
  }

  devices(): string[] {
    return [...this.byDevice.keys()];
  }

  /** The device's measured power at `at`, W; 0 for a device without a series or an instant outside the history. */
  powerW(deviceId: string, at: Date): number {
    const series = this.byDevice.get(deviceId);
    const index = Math.floor((at.getTime() - this.startMs) / this.stepMs);
    return series?.[index] ?? 0;
  }
}
