import { type Checked, DAY_MS, localDateTime, refused } from '@ilot/domain';

/**
 * Enedis Data Connect (the distributor's data-sharing API), pure: the consent URL a participant follows, the redirect
 * it comes back with, the load-curve requests (at most 7 days each, whole local days, data up to yesterday) and the
 * answer's shape (`meter_reading.interval_reading[]`: mean power in W over an interval whose *end* is the local
 * `date`). The HTTP client is libs/residents `DataConnectClient`.
 */
export interface DataConnectConsent {
  authorizeUrl: string;
  clientId: string;
  /** Opaque, checked on the way back: ties the redirect to the participant who asked. */
  state: string;
  /** ISO 8601 duration of the consent, e.g. P1Y. */
  duration: string;
}

export function consentUrl(consent: DataConnectConsent): string {
  const url = new URL(consent.authorizeUrl);
  url.searchParams.set('client_id', consent.clientId);
  url.searchParams.set('state', consent.state);
  url.searchParams.set('duration', consent.duration);
  url.searchParams.set('response_type', 'code');
  return url.toString();
}

/** The delivery points a participant consented for, from the redirect's query; refused on a state that is not ours. */
export function parseConsentRedirect(redirect: string, expectedState: string): Checked<string[], 'invalid'> {
  const query = new URL(redirect, 'http://redirect.invalid').searchParams;
  if (query.get('error'))
    return refused('invalid', `consent refused: ${query.get('error')} ${query.get('error_description') ?? ''}`.trim());
  if (query.get('state') !== expectedState) return refused('invalid', 'state: not the one this consent was asked with');
  const points = (query.get('usage_point_id') ?? '').split(',').filter((p) => p !== '');
  const bad = points.filter((p) => !/^\d{14}$/.test(p));
  if (points.length === 0 || bad.length)
    return refused('invalid', `usage_point_id: expected PRMs (14 digits), got "${query.get('usage_point_id') ?? ''}"`);
  return { ok: true, value: points };
}

/** At most this many days per load-curve request (Enedis refuses longer). */
export const LOAD_CURVE_MAX_DAYS = 7;

/** The requests covering the local days [fromDate, toDate) (YYYY-MM-DD), each at most 7 days. */
export function loadCurveWindows(fromDate: string, toDate: string): Array<{ start: string; end: string }> {
  const windows: Array<{ start: string; end: string }> = [];
  const endMs = Date.parse(`${toDate}T00:00:00Z`);
  for (let ms = Date.parse(`${fromDate}T00:00:00Z`); ms < endMs; ms += LOAD_CURVE_MAX_DAYS * DAY_MS)
    windows.push({
      start: new Date(ms).toISOString().slice(0, 10),
      end: new Date(Math.min(ms + LOAD_CURVE_MAX_DAYS * DAY_MS, endMs)).toISOString().slice(0, 10),
    });
  return windows;
}

/** One interval of the load curve: its mean power over [start, start + minutes), W. */
export interface CurvePoint {
  start: Date;
  minutes: number;
  powerW: number;
}

const LOCAL = /^(\d{4}-\d\d-\d\d) (\d\d):(\d\d):(\d\d)$/;

/** The instant a local wall-clock time names in the zone, the first one not before `notBeforeMs` (the hour that comes twice). */
function localInstant(date: string, minuteOfDay: number, timeZone: string, notBeforeMs: number): number | undefined {
  const wallMs = Date.parse(`${date}T00:00:00Z`) + minuteOfDay * 60_000;
  const candidates: number[] = [];
  for (let offsetMinutes = -12 * 60; offsetMinutes <= 14 * 60; offsetMinutes += 15) {
    const at = wallMs - offsetMinutes * 60_000;
    const local = localDateTime(new Date(at), timeZone);
    if (local.date === date && local.minuteOfDay === minuteOfDay) candidates.push(at);
  }
  candidates.sort((a, b) => a - b);
  return candidates.find((c) => c >= notBeforeMs) ?? candidates[0];
}

function intervalMinutes(text: unknown): number | undefined {
  const match = typeof text === 'string' ? /^PT(\d+)M$/.exec(text) : null;
  const minutes = match ? Number(match[1]) : NaN;
  return [5, 10, 15, 30, 60].includes(minutes) ? minutes : undefined;
}

/**
 * The load curve of a Data Connect answer, each point's start as an instant (its `date` is the interval's end, local
 * time in the zone); refused with every problem (not the documented shape, another delivery point, a value or a date
 * that is not one).
 */
export function parseLoadCurve(
  body: unknown,
  usagePointId: string,
  timeZone: string,
): Checked<CurvePoint[], 'invalid'> {
  const reading = (body as { meter_reading?: Record<string, unknown> } | null)?.meter_reading;
  if (!reading || !Array.isArray(reading.interval_reading))
    return refused('invalid', 'meter_reading.interval_reading: missing (not a Data Connect load curve)');
  if (reading.usage_point_id !== usagePointId)
    return refused('invalid', `meter_reading.usage_point_id: ${String(reading.usage_point_id)}, asked ${usagePointId}`);
  const unit = (reading.reading_type as { unit?: unknown } | undefined)?.unit;
  if (unit !== undefined && unit !== 'W')
    return refused('invalid', `meter_reading.reading_type.unit: ${String(unit)}, expected W`);
  const problems: string[] = [];
  const points: CurvePoint[] = [];
  let previousEndMs = -Infinity;
  (reading.interval_reading as Array<Record<string, unknown>>).forEach((r, i) => {
    const at = `interval_reading[${i}]`;
    const minutes = intervalMinutes(r?.interval_length);
    const date = typeof r?.date === 'string' ? LOCAL.exec(r.date) : null;
    const powerW = typeof r?.value === 'string' && /^\d+(\.\d+)?$/.test(r.value) ? Number(r.value) : NaN;
    if (!minutes) return problems.push(`${at}.interval_length: ${String(r?.interval_length)}, expected PT5M to PT60M`);
    if (!date) return problems.push(`${at}.date: ${String(r?.date)}, expected "YYYY-MM-DD HH:MM:SS"`);
    if (Number.isNaN(powerW)) return problems.push(`${at}.value: ${String(r?.value)}, expected W as a number`);
    const endMs = localInstant(date[1], Number(date[2]) * 60 + Number(date[3]), timeZone, previousEndMs + 1);
    if (endMs === undefined) return problems.push(`${at}.date: ${r.date as string} does not exist in ${timeZone}`);
    previousEndMs = endMs;
    points.push({ start: new Date(endMs - minutes * 60_000), minutes, powerW });
  });
  return problems.length ? { ok: false, reason: 'invalid', problems } : { ok: true, value: points };
}
