import { DAY_MS, isoInstantMs } from '@ilot/domain';
import type { ExternalPvPoint } from './external-pv';

/** One issue of a PV forecast: when it was issued, and its points (the `forecast` topic's meaning). */
export interface IssuedPvForecast {
  issuedAt: Date;
  points: ExternalPvPoint[];
}

export type IssuedPvParse = { ok: true; issues: IssuedPvForecast[] } | { ok: false; problems: string[] };

const HEADER = ['issuedAt', 'ts', 'device', 'pvW'];

/**
 * PV forecasts as they were issued (issue 27, `ilot simulate --pv-forecast FILE`): CSV `issuedAt,ts,device,pvW`, each
 * row a point of an issued forecast, the mean power from `ts` to the next point; `device` empty for the whole site,
 * else one of `pvArrays`. Every bad row is refused with its line and field: a time that is not ISO 8601, a `ts` not
 * after the previous one of its issue and device, an unknown device, a power negative or not a number, an issue after
 * the end of its point's UTC day (not a forecast any more). Pure.
 */
export function parseIssuedPvForecasts(text: string, pvArrays: readonly string[]): IssuedPvParse {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.split(',').map((h) => h.trim());
  if (!header || header.join(',') !== HEADER.join(','))
    return { ok: false, problems: [`line 1: the header must be ${HEADER.join(',')}, found "${lines[0] ?? ''}"`] };
  const problems: string[] = [];
  const issues = new Map<number, ExternalPvPoint[]>();
  const lastTs = new Map<string, number>();
  lines.slice(1).forEach((raw, k) => {
    const line = k + 2;
    if (raw.trim() === '') return;
    const cells = raw.split(',').map((c) => c.trim());
    if (cells.length !== HEADER.length)
      return problems.push(`line ${line}: ${cells.length} fields, ${HEADER.length} expected (${HEADER.join(',')})`);
    const [issuedText, tsText, device, powerText] = cells;
    const issuedMs = isoInstantMs(issuedText);
    const tsMs = isoInstantMs(tsText);
    const pvW = powerText === '' ? NaN : Number(powerText);
    if (Number.isNaN(issuedMs))
      return problems.push(`line ${line}: issuedAt "${issuedText}" is not an ISO 8601 instant`);
    if (Number.isNaN(tsMs)) return problems.push(`line ${line}: ts "${tsText}" is not an ISO 8601 instant`);
    if (device !== '' && !pvArrays.includes(device))
      return problems.push(`line ${line}: device "${device}" is not a PV array of the site (${pvArrays.join(', ')})`);
    if (!Number.isFinite(pvW) || pvW < 0)
      return problems.push(`line ${line}: pvW "${powerText}" must be a number of watts, 0 or more`);
    if (issuedMs >= Math.floor(tsMs / DAY_MS) * DAY_MS + DAY_MS)
      return problems.push(
        `line ${line}: issuedAt ${issuedText} is after the day of its point ${tsText}: not a forecast`,
      );
    const key = `${issuedMs}/${device}`;
    const previous = lastTs.get(key);
    if (previous !== undefined && tsMs <= previous)
      return problems.push(`line ${line}: ts ${tsText} is not after the previous point of this issue and device`);
    lastTs.set(key, tsMs);
    const points = issues.get(issuedMs) ?? [];
    points.push({ deviceId: device, at: new Date(tsMs), pvW });
    issues.set(issuedMs, points);
  });
  if (problems.length) return { ok: false, problems };
  return {
    ok: true,
    issues: [...issues.entries()].sort(([a], [b]) => a - b).map(([ms, points]) => ({ issuedAt: new Date(ms), points })),
  };
}

/**
 * What the planner has at `now`: per point, the newest issue issued at or before `now` (never a later one), as one
 * forecast for `externalPvSlots` (its `issuedAt` the newest issue used); undefined when no issue is out yet. Points
 * from a day before `fromMs` (the plan's first slot) on are kept: the one before the slot gives the series' step.
 * Pure.
 */
export function forecastAsIssuedAt(
  issues: readonly IssuedPvForecast[],
  now: Date,
  fromMs: number = now.getTime(),
): { issuedAt: Date; points: ExternalPvPoint[] } | undefined {
  const keepFromMs = fromMs - DAY_MS;
  const out = issues.filter(
    (issue) =>
      issue.issuedAt.getTime() <= now.getTime() && issue.points.some((point) => point.at.getTime() >= keepFromMs),
  );
  if (out.length === 0) return undefined;
  const chosen = new Map<string, ExternalPvPoint>();
  // Newest first: a point a newer issue gives is never replaced by an older one's.
  for (const issue of [...out].reverse())
    for (const point of issue.points) {
      const key = `${point.deviceId}/${point.at.getTime()}`;
      if (point.at.getTime() >= keepFromMs && !chosen.has(key)) chosen.set(key, point);
    }
  return {
    issuedAt: out[out.length - 1].issuedAt,
    points: [...chosen.values()].sort((a, b) => a.at.getTime() - b.at.getTime()),
  };
}

/**
 * Every point as the planner had it when its slot began: for each device and instant, the point of the newest issue
 * issued at or before that instant (later issues never reach back). What the calibration learns from (issue 27 §4).
 * Sorted by instant. Pure.
 */
export function forecastAsPlanned(issues: readonly IssuedPvForecast[]): ExternalPvPoint[] {
  const chosen = new Map<string, { issuedMs: number; point: ExternalPvPoint }>();
  for (const issue of issues)
    for (const point of issue.points) {
      if (issue.issuedAt.getTime() > point.at.getTime()) continue;
      const key = `${point.deviceId}/${point.at.getTime()}`;
      const held = chosen.get(key);
      if (!held || held.issuedMs <= issue.issuedAt.getTime())
        chosen.set(key, { issuedMs: issue.issuedAt.getTime(), point });
    }
  return [...chosen.values()].map((c) => c.point).sort((a, b) => a.at.getTime() - b.at.getTime());
}
