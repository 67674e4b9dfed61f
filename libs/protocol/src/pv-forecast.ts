import { accepted, type Checked, DAY_MS, refused } from '@ilot/domain';
import { z } from 'zod';
import { decode, type DecodeLimits, type RejectReason, validate } from './decode';
import { checkInstant } from './inbound-limits';
import { isoInstant } from './instant';

/** What an external PV forecast may hold: a week of 15-min points per array of a large îlot, from at most a day back. */
export const PV_FORECAST_LIMITS = {
  maxPoints: 5000,
  maxLeadMs: 7 * DAY_MS,
  maxLagMs: DAY_MS,
} as const;

/**
 * The `forecast` topic (docs/design.md): an external PV forecast for the site (Open-Meteo, Solcast, Météo-France, fed
 * by the operator), `issuedAt` its issue time, each point the mean production over the interval starting at `ts`,
 * for one array (`device`) or for the whole site (no `device`; shared among the arrays by their peak power).
 */
export const pvForecastSchema = z.strictObject({
  issuedAt: isoInstant,
  source: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - (at most 64)')
    .optional(),
  series: z
    .array(
      z.strictObject({
        ts: isoInstant,
        pvW: z.number().min(0, 'production is >= 0, W').max(1e9, 'at most 1 GW'),
        device: z.string().min(1).max(100).optional(),
      }),
    )
    .min(1)
    .max(PV_FORECAST_LIMITS.maxPoints),
});
export type PvForecastPayload = z.infer<typeof pvForecastSchema>;

/**
 * What a well-formed forecast may still get wrong: issued in the future, points outside [issuedAt - 1 day,
 * issuedAt + 7 days], a device that is not one of the site's PV arrays, site and per-array points mixed, or one
 * series not in strictly increasing time.
 */
export function checkPvForecast(
  forecast: PvForecastPayload,
  now: Date,
  isPvArray: (deviceId: string) => boolean,
  maxFutureMs: number,
): Checked<PvForecastPayload, 'out_of_range' | 'future'> {
  const issuedMs = Date.parse(forecast.issuedAt);
  const issued = checkInstant(new Date(issuedMs), now, { maxFutureMs }, 'issuedAt');
  if (!issued.ok) return refused('future', ...issued.problems);
  const perArray = forecast.series[0].device !== undefined;
  const lastMs = new Map<string, number>();
  for (const [i, point] of forecast.series.entries()) {
    const ms = Date.parse(point.ts);
    if (ms < issuedMs - PV_FORECAST_LIMITS.maxLagMs || ms > issuedMs + PV_FORECAST_LIMITS.maxLeadMs)
      return refused('out_of_range', `series.${i}.ts: ${point.ts} is not within a day before to 7 days after issuedAt`);
    if ((point.device !== undefined) !== perArray)
      return refused('out_of_range', `series.${i}.device: either every point names its PV array or none does`);
    if (point.device !== undefined && !isPvArray(point.device))
      return refused('out_of_range', `series.${i}.device: "${point.device}" is not a PV array of the site`);
    const key = point.device ?? '';
    if (ms <= (lastMs.get(key) ?? -Infinity))
      return refused('out_of_range', `series.${i}.ts: ${point.ts} is not after the previous point of its series`);
    lastMs.set(key, ms);
  }
  return accepted(forecast);
}

/** A forecast from the `forecast` topic: size, JSON, schema, then its checks at `now`. */
export function decodePvForecast(
  payload: Buffer | string,
  now: Date,
  limits: DecodeLimits & { maxFutureMs: number },
  isPvArray: (deviceId: string) => boolean,
): Checked<PvForecastPayload, RejectReason> {
  const decoded = decode(payload, pvForecastSchema, limits);
  return decoded.ok ? checkPvForecast(decoded.value, now, isPvArray, limits.maxFutureMs) : decoded;
}

/** A forecast already parsed from JSON (`POST /api/v1/sites/{siteId}/forecast`): the topic's schema and checks. */
export function validatePvForecast(
  json: unknown,
  now: Date,
  maxFutureMs: number,
  isPvArray: (deviceId: string) => boolean,
): Checked<PvForecastPayload, 'schema' | 'out_of_range' | 'future'> {
  const parsed = validate(json, pvForecastSchema);
  return parsed.ok ? checkPvForecast(parsed.value, now, isPvArray, maxFutureMs) : parsed;
}
