import { DAY_MS } from '@ilot/domain';

export interface PowerSample {
  /** Start of the bucket the average covers. */
  at: Date;
  powerW: number;
}

export interface ConsumptionForecastInput {
  now: Date;
  slotStarts: Date[];
  /** Bucket averages of the quantity to forecast over the past days, any order. */
  history: PowerSample[];
  /** The latest measured value, if fresh. */
  latest?: PowerSample;
  /** How long the latest measurement keeps weight over the daily profile (e-folding time). */
  persistenceMs?: number;
  /** How many past days of the same kind form the daily profile. */
  profileDays?: number;
  /** The kind of day of an instant (e.g. "weekday" / "weekend" in local time); profiles use days of the same kind. */
  dayKind?: (at: Date) => string;
}

/**
 * Same-time-of-day profile over the past days of the same kind (offices and schools empty at the
 * weekend), blended with the latest measurement for the first hours; persistence of the latest
 * value where no history exists yet.
 */
export function forecastConsumption(input: ConsumptionForecastInput): number[] {
  const persistenceMs = input.persistenceMs ?? 2 * 3_600_000;
  const profileDays = input.profileDays ?? 7;
  const byTime = new Map<number, number>();
  for (const sample of input.history) byTime.set(sample.at.getTime(), sample.powerW);
  return input.slotStarts.map((start) => {
    const pastValues: number[] = [];
    const kind = input.dayKind?.(start);
    for (let day = 1; day <= 3 * profileDays && pastValues.length < profileDays; day++) {
      const at = start.getTime() - day * DAY_MS;
      const value = byTime.get(at);
      if (value !== undefined && (kind === undefined || input.dayKind!(new Date(at)) === kind)) pastValues.push(value);
    }
    const profileW = pastValues.length > 0 ? pastValues.reduce((a, b) => a + b, 0) / pastValues.length : undefined;
    if (!input.latest) return profileW ?? 0;
    if (profileW === undefined) return input.latest.powerW;
    const weight = Math.exp(-Math.max(start.getTime() - input.now.getTime(), 0) / persistenceMs);
    return weight * input.latest.powerW + (1 - weight) * profileW;
  });
}
