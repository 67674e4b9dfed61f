import { DAY_MS } from '@ilot/domain';
import type { PowerSample } from './consumption-forecast';

export interface ErrorQuantileInput {
  /** Bucket means of the quantity over the past days, any order (the same history the forecast uses). */
  history: readonly PowerSample[];
  /** The instants to give quantiles for (slot starts). */
  slotStarts: readonly Date[];
  /** The kind of day of an instant; a day's profile is made of the other days of the same kind. */
  dayKind?: (at: Date) => string;
  /** Errors within this much of a slot's time of day are pooled for it, ms (default 2 h each side). */
  windowMs?: number;
}

/** Fewest pooled errors a quantile is taken from; with fewer, the quantile is unknown (undefined). */
export const MIN_ERROR_SAMPLES = 8;

/**
 * The measured error of the day-ahead profile forecast, as quantiles per slot: for every bucket of the history, the
 * profile of the other days of the same kind at the same time (leave one out) is what the forecast would have said;
 * the errors (measured minus profile, W) within `windowMs` of a slot's time of day are pooled and their quantile
 * `p` taken. Returns, per probability asked, one offset per slot to add to the forecast (e.g. P90 - P50 > 0), or
 * `undefined` for all slots when the history holds too few comparable days. Pure.
 */
export function profileErrorQuantiles(
  input: ErrorQuantileInput,
  probabilities: readonly number[],
): Map<number, number[]> | undefined {
  const errors = leaveOneOutErrors(input.history, input.dayKind);
  if (errors.length < MIN_ERROR_SAMPLES) return undefined;
  const windowMs = input.windowMs ?? 2 * 3_600_000;
  // The errors grouped by time of day, so that a slot pools whole groups (a few hundred) rather than testing every error.
  const byTimeOfDay = new Map<number, number[]>();
  for (const e of errors) {
    const group = byTimeOfDay.get(e.timeOfDayMs);
    if (group) group.push(e.errorW);
    else byTimeOfDay.set(e.timeOfDayMs, [e.errorW]);
  }
  const times = [...byTimeOfDay.keys()].sort((x, y) => x - y);
  const result = new Map<number, number[]>(probabilities.map((p) => [p, []]));
  for (const start of input.slotStarts) {
    const timeOfDay = mod(start.getTime(), DAY_MS);
    let pooled: number[] = [];
    for (const at of timesWithin(times, timeOfDay, windowMs)) pooled.push(...byTimeOfDay.get(at)!);
    if (pooled.length < MIN_ERROR_SAMPLES) pooled = errors.map((e) => e.errorW);
    pooled.sort((a, b) => a - b);
    for (const p of probabilities) result.get(p)!.push(quantileOfSorted(pooled, p));
  }
  return result;
}

/** Every history bucket's error against the mean of the same time on the other days of the same kind. */
function leaveOneOutErrors(
  history: readonly PowerSample[],
  dayKind?: (at: Date) => string,
): Array<{ timeOfDayMs: number; errorW: number }> {
  const byTimeOfDay = new Map<number, Array<{ atMs: number; powerW: number; kind?: string }>>();
  for (const sample of history) {
    const atMs = sample.at.getTime();
    const key = mod(atMs, DAY_MS);
    const list = byTimeOfDay.get(key) ?? [];
    list.push({ atMs, powerW: sample.powerW, kind: dayKind?.(sample.at) });
    byTimeOfDay.set(key, list);
  }
  const errors: Array<{ timeOfDayMs: number; errorW: number }> = [];
  for (const [timeOfDayMs, samples] of byTimeOfDay)
    for (const sample of samples) {
      const others = samples.filter((o) => o.atMs !== sample.atMs && o.kind === sample.kind);
      if (others.length === 0) continue;
      const profileW = others.reduce((sum, o) => sum + o.powerW, 0) / others.length;
      errors.push({ timeOfDayMs, errorW: sample.powerW - profileW });
    }
  return errors;
}

/** The p-quantile of sorted values, linear between order statistics (p in [0, 1]). */
export function quantileOfSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const position = Math.min(Math.max(p, 0), 1) * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

function mod(value: number, modulus: number): number {
  return ((value % modulus) + modulus) % modulus;
}

/** The times of day (sorted, in [0, DAY_MS)) within `windowMs` of `center` around the clock, ends included. */
function timesWithin(sorted: readonly number[], center: number, windowMs: number): number[] {
  if (2 * windowMs >= DAY_MS) return [...sorted];
  const between = (from: number, to: number) => sorted.slice(lowerBound(sorted, from), lowerBound(sorted, to + 1));
  const from = center - windowMs;
  const to = center + windowMs;
  if (from < 0) return [...between(0, to), ...between(from + DAY_MS, DAY_MS - 1)];
  if (to >= DAY_MS) return [...between(from, DAY_MS - 1), ...between(0, to - DAY_MS)];
  return between(from, to);
}

/** The index of the first value >= `value` in sorted values. */
function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (sorted[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}
