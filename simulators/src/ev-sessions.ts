import { DAY_MS, HOUR_MS } from '@ilot/domain';

/** A deterministic pseudo-random number in [0, 1) from a string (same day, same device, same draw). */
export function hashUnit(key: string): number {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  return ((h >>> 0) % 1_000_000) / 1_000_000;
}

/** A car's stay at a charger: plugged from `arrivalMs` to `departureMs`, its driver wanting `energyWh` by then. */
export interface EvVisit {
  key: string;
  arrivalMs: number;
  departureMs: number;
  energyWh: number;
}

/**
 * The visit that starts on a UTC day, if any: residents plug in between 17:30 and 20:00 UTC needing 8 to 20 kWh and
 * leave the next morning between 05:30 and 07:30 UTC; office cars come on weekdays between 07:00 and 08:30 UTC needing
 * 12 to 30 kWh and leave between 16:00 and 18:00 UTC.
 */
export function evVisitOfDay(deviceId: string, dayStartMs: number, workplace: boolean): EvVisit | undefined {
  // The same draw is asked every simulated step of the day: kept (bounded), the values are the function's.
  const memoKey = `${deviceId}:${dayStartMs}:${workplace}`;
  if (visitMemo.has(memoKey)) return visitMemo.get(memoKey);
  const drawn = drawVisit(deviceId, dayStartMs, workplace);
  const visit = drawn && Object.freeze(drawn);
  if (visitMemo.size >= 100_000) visitMemo.clear();
  visitMemo.set(memoKey, visit);
  return visit;
}

const visitMemo = new Map<string, EvVisit | undefined>();

function drawVisit(deviceId: string, dayStartMs: number, workplace: boolean): EvVisit | undefined {
  const key = `${deviceId}:${dayStartMs}`;
  const [arrival, departure, energy] = [hashUnit(key), hashUnit(`${key}:d`), hashUnit(`${key}:e`)];
  if (workplace) {
    const weekday = new Date(dayStartMs).getUTCDay();
    if (weekday === 0 || weekday === 6) return undefined;
    return {
      key,
      arrivalMs: dayStartMs + (7 + 1.5 * arrival) * HOUR_MS,
      departureMs: dayStartMs + (16 + 2 * departure) * HOUR_MS,
      energyWh: 12_000 + 18_000 * energy,
    };
  }
  return {
    key,
    arrivalMs: dayStartMs + (17.5 + 2.5 * arrival) * HOUR_MS,
    departureMs: dayStartMs + DAY_MS + (5.5 + 2 * departure) * HOUR_MS,
    energyWh: 8_000 + 12_000 * energy,
  };
}

/** The visit in progress at an instant (arrived, not yet left), if any: one that began that day or the day before. */
export function evVisitAt(deviceId: string, atMs: number, workplace: boolean): EvVisit | undefined {
  const dayStartMs = Math.floor(atMs / DAY_MS) * DAY_MS;
  for (const day of [dayStartMs - DAY_MS, dayStartMs]) {
    const visit = evVisitOfDay(deviceId, day, workplace);
    if (visit && visit.arrivalMs <= atMs && atMs < visit.departureMs) return visit;
  }
  return undefined;
}

/** The visits of a charger that overlap [fromMs, toMs), in arrival order. */
export function evVisitsBetween(deviceId: string, fromMs: number, toMs: number, workplace: boolean): EvVisit[] {
  const visits: EvVisit[] = [];
  for (let day = Math.floor(fromMs / DAY_MS) * DAY_MS - DAY_MS; day < toMs; day += DAY_MS) {
    const visit = evVisitOfDay(deviceId, day, workplace);
    if (visit && visit.arrivalMs < toMs && visit.departureMs > fromMs) visits.push(visit);
  }
  return visits;
}
