import type { ExternalPvPoint } from '../external-pv';
import { isRecord, type ProviderArray, type ProviderParse } from './provider-types';

/** Forecast.Solar's public API (no key: 12 calls an hour per address; https://doc.forecast.solar/api). */
export const FORECAST_SOLAR_BASE_URL = 'https://api.forecast.solar';

/**
 * The estimate for one plane (https://doc.forecast.solar/api:estimate): `/estimate/:lat/:lon/:dec/:az/:kwp`, the
 * declination its tilt, the azimuth -180..180 with 0 south and -90 east, times in UTC (`?time=utc`), the inverter's
 * limit in kW.
 */
export function forecastSolarUrl(
  baseUrl: string,
  location: { latitudeDeg: number; longitudeDeg: number },
  array: ProviderArray,
): string {
  const azimuth = ((array.azimuthDeg - 180 + 540) % 360) - 180;
  const path = [location.latitudeDeg, location.longitudeDeg, Math.round(array.tiltDeg), Math.round(azimuth)]
    .map(String)
    .concat(String(array.peakW / 1000))
    .join('/');
  const query = new URLSearchParams({
    time: 'utc',
    ...(array.inverterW ? { inverter: String(array.inverterW / 1000) } : {}),
  });
  return `${baseUrl.replace(/\/+$/, '')}/estimate/${path}?${query}`;
}

/**
 * One plane's forecast from Forecast.Solar's answer: `result.watts`, the power at each instant (sunrise to sunset,
 * irregular at their ends), made into the mean over each interval to the next instant (linear in between); a day's
 * last point (sunset, 0 W) holds the night. Every time must be an instant with its offset and every power a number of
 * 0 or more, else the answer is refused. Pure.
 */
export function parseForecastSolar(body: unknown, array: ProviderArray): ProviderParse {
  if (!isRecord(body)) return { ok: false, problem: 'the answer is not a JSON object' };
  const result = body.result;
  if (!isRecord(result) || !isRecord(result.watts)) {
    const message = isRecord(body.message) ? String(body.message.text ?? '') : '';
    return { ok: false, problem: `no result.watts in the answer${message ? `: ${message}` : ''}` };
  }
  const samples: Array<{ ms: number; w: number }> = [];
  for (const [time, w] of Object.entries(result.watts)) {
    const ms = /(Z|[+-]\d{2}:?\d{2})$/.test(time) ? Date.parse(time) : NaN;
    if (Number.isNaN(ms)) return { ok: false, problem: `result.watts: "${time}" is not an instant with its offset` };
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0)
      return { ok: false, problem: `result.watts["${time}"]: not a power of 0 or more` };
    samples.push({ ms, w });
  }
  samples.sort((a, b) => a.ms - b.ms);
  if (samples.length < 2) return { ok: false, problem: 'fewer than two times in result.watts' };
  const limitW = array.inverterW ?? array.peakW;
  const points: ExternalPvPoint[] = samples.map((s, k) => {
    const next = samples[k + 1];
    // Across the night (next sunrise a day on), the sunset's own value holds.
    const overnight = !next || next.ms - s.ms > 6 * 3_600_000;
    const meanW = overnight ? s.w : (s.w + next.w) / 2;
    return { deviceId: array.id, at: new Date(s.ms), pvW: Math.min(meanW, limitW) };
  });
  return { ok: true, points };
}
