/** One point of an external PV forecast: the mean production over the interval starting at `at`, W. */
export interface ExternalPvPoint {
  /** The PV array it is for, or '' for the whole site. */
  deviceId: string;
  at: Date;
  pvW: number;
}

/**
 * Each array's production per slot from an external forecast: the time-weighted mean of its series over the slot (each
 * point holds until the next one; the last holds one step, the series' own), or undefined where the series does not
 * cover the whole slot. A forecast for the whole site ('' points) is shared among the arrays by their peak power.
 * Pure.
 */
export function externalPvSlots(
  points: readonly ExternalPvPoint[],
  arrays: ReadonlyArray<{ id: string; peakW: number }>,
  slotStarts: readonly Date[],
  slotMinutes: number,
): Map<string, Array<number | undefined>> {
  const totalPeakW = arrays.reduce((sum, a) => sum + a.peakW, 0);
  const site = intervalsOf(points.filter((p) => p.deviceId === ''));
  return new Map(
    arrays.map((array) => {
      const own = intervalsOf(points.filter((p) => p.deviceId === array.id));
      const [series, share] = own.length ? [own, 1] : [site, totalPeakW > 0 ? array.peakW / totalPeakW : 0];
      return [array.id, slotStarts.map((start) => meanOver(series, start.getTime(), slotMinutes * 60_000, share))];
    }),
  );
}

interface Interval {
  fromMs: number;
  toMs: number;
  pvW: number;
}

/** A series as back-to-back intervals: each point until the next, the last for the step before it. */
function intervalsOf(points: readonly ExternalPvPoint[]): Interval[] {
  const sorted = [...points].sort((a, b) => a.at.getTime() - b.at.getTime());
  return sorted.map((p, i) => {
    const fromMs = p.at.getTime();
    const stepMs =
      i + 1 < sorted.length ? sorted[i + 1].at.getTime() - fromMs : fromMs - (sorted[i - 1]?.at.getTime() ?? fromMs);
    return { fromMs, toMs: fromMs + stepMs, pvW: p.pvW };
  });
}

function meanOver(series: readonly Interval[], startMs: number, spanMs: number, share: number): number | undefined {
  const endMs = startMs + spanMs;
  let coveredMs = 0;
  let energy = 0;
  // The intervals are in time order and back to back: from the first that ends after the slot's start, until one
  // starts after its end (a week of history against a month of points is searched, not scanned).
  for (let i = firstEndingAfter(series, startMs); i < series.length && series[i].fromMs < endMs; i++) {
    const interval = series[i];
    const overlapMs = Math.min(interval.toMs, endMs) - Math.max(interval.fromMs, startMs);
    if (overlapMs <= 0) continue;
    coveredMs += overlapMs;
    energy += interval.pvW * overlapMs;
  }
  return coveredMs >= spanMs - 1 ? (energy / spanMs) * share : undefined;
}

/** The index of the first interval whose end is after `ms` (intervals in time order). */
function firstEndingAfter(series: readonly Interval[], ms: number): number {
  let low = 0;
  let high = series.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (series[middle].toMs <= ms) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** How long the latest reading's ratio to an external forecast keeps weight (e-folding), ms: forecastPv's own. */
export const EXTERNAL_NUDGE_PERSISTENCE_MS = 3 * 3_600_000;

/**
 * An external forecast nudged by what the array makes now (issue 27: a day-ahead forecast issued yesterday cannot
 * see this hour's cloud that the latest reading shows, and in closed loop planned worse than the own forecast that
 * does): each slot x (1 + (latest / forecast now - 1) x e^(-lead / EXTERNAL_NUDGE_PERSISTENCE_MS)), the ratio held in
 * [0, 2] and taken only where the forecast of the slot in progress is above 5 % of the peak; at most `limitW`.
 * Slots the forecast does not cover stay undefined. Pure.
 */
export function nudgedByLatest(
  forecastW: ReadonlyArray<number | undefined>,
  slotStarts: readonly Date[],
  now: Date,
  latest: { powerW: number } | undefined,
  peakW: number,
  limitW: number = peakW,
): Array<number | undefined> {
  const currentW = forecastW[0];
  if (!latest || currentW === undefined || currentW <= 0.05 * peakW) return [...forecastW];
  const ratio = Math.min(Math.max(latest.powerW / currentW, 0), 2);
  return forecastW.map((w, t) => {
    if (w === undefined) return undefined;
    const leadMs = Math.max(slotStarts[t].getTime() - now.getTime(), 0);
    return Math.min(w * (1 + (ratio - 1) * Math.exp(-leadMs / EXTERNAL_NUDGE_PERSISTENCE_MS)), limitW);
  });
}
