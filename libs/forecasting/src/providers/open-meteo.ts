import { acWPerKWpFromPlaneOfArray } from '../solar-geometry';
import type { ExternalPvPoint } from '../external-pv';
import type { TemperatureSample } from '../weather-load-model';
import { isRecord, PROVIDER_PERFORMANCE_RATIO, type ProviderArray, type ProviderParse } from './provider-types';

/** Open-Meteo's public forecast API (no key). */
export const OPEN_METEO_BASE_URL = 'https://api.open-meteo.com';

/**
 * The request for one array: the tilted irradiance and the air temperature, 15-minutely where the provider has it and
 * hourly besides, two days ahead, times in UTC. Open-Meteo's azimuth is 0 south, -90 east, 90 west
 * (https://open-meteo.com/en/docs, "tilt" and "azimuth").
 */
export function openMeteoUrl(
  baseUrl: string,
  location: { latitudeDeg: number; longitudeDeg: number },
  array: ProviderArray,
  forecastDays = 2,
): string {
  const variables = 'global_tilted_irradiance,temperature_2m';
  const query = new URLSearchParams({
    latitude: String(location.latitudeDeg),
    longitude: String(location.longitudeDeg),
    minutely_15: variables,
    hourly: variables,
    tilt: String(array.tiltDeg),
    azimuth: String(((array.azimuthDeg - 180 + 540) % 360) - 180),
    timezone: 'UTC',
    forecast_days: String(forecastDays),
  });
  return `${baseUrl.replace(/\/+$/, '')}/v1/forecast?${query}`;
}

/**
 * One array's forecast from Open-Meteo's answer: the 15-minutely series where it has values, else the hourly one. Its
 * radiation is the mean over the period before each time (https://open-meteo.com/en/docs: "preceding hour mean",
 * "preceding 15 minutes mean"), so each point starts one step before its time; times are local to the answer's
 * `utc_offset_seconds`. A missing value is left out (the point before it holds on, as any forecast point holds until
 * the next; none at the ends); a negative one is 0 (Open-Meteo issue 1355: negative tilted irradiance at night). Power: the array's peak x the AC power of 1 kWp
 * under that irradiance and temperature, at most the inverter's limit. Pure.
 */
export function parseOpenMeteo(body: unknown, array: ProviderArray): ProviderParse {
  if (!isRecord(body)) return { ok: false, problem: 'the answer is not a JSON object' };
  if (typeof body.error === 'boolean' && body.error)
    return { ok: false, problem: `the provider refused: ${String(body.reason ?? 'no reason given')}` };
  const offsetS = body.utc_offset_seconds;
  if (typeof offsetS !== 'number' || !Number.isFinite(offsetS))
    return { ok: false, problem: 'utc_offset_seconds is missing: the times cannot be placed' };
  const section = [body.minutely_15, body.hourly].find(
    (s) =>
      isRecord(s) &&
      Array.isArray(s.global_tilted_irradiance) &&
      s.global_tilted_irradiance.some((v) => typeof v === 'number'),
  );
  if (!isRecord(section)) return { ok: false, problem: 'no global_tilted_irradiance in minutely_15 or hourly' };
  const times = section.time;
  const irradiance = section.global_tilted_irradiance as unknown[];
  const temperature = Array.isArray(section.temperature_2m) ? (section.temperature_2m as unknown[]) : [];
  if (!Array.isArray(times) || times.length !== irradiance.length)
    return { ok: false, problem: 'time and global_tilted_irradiance differ in length' };
  const instantsMs = times.map((t) => (typeof t === 'string' ? Date.parse(`${t}Z`) - offsetS * 1000 : NaN));
  const bad = instantsMs.findIndex((ms, k) => Number.isNaN(ms) || (k > 0 && ms <= instantsMs[k - 1]));
  if (bad >= 0)
    return { ok: false, problem: `time[${bad}] "${String(times[bad])}" is not a time after the one before` };
  if (instantsMs.length < 2) return { ok: false, problem: 'fewer than two times: no step to place them with' };
  const stepMs = instantsMs[1] - instantsMs[0];
  const limitW = array.inverterW ?? array.peakW;
  const points: ExternalPvPoint[] = [];
  instantsMs.forEach((endMs, k) => {
    const gti = irradiance[k];
    if (typeof gti !== 'number' || !Number.isFinite(gti)) return;
    const airTempC = typeof temperature[k] === 'number' ? (temperature[k] as number) : 25;
    const wPerKWp = acWPerKWpFromPlaneOfArray(Math.max(gti, 0), airTempC, PROVIDER_PERFORMANCE_RATIO);
    points.push({
      deviceId: array.id,
      at: new Date(endMs - stepMs),
      pvW: Math.min((wPerKWp * array.peakW) / 1000, limitW),
    });
  });
  if (points.length === 0) return { ok: false, problem: 'no usable value in the answer' };
  // The temperature is an instant's (https://open-meteo.com/en/docs: "air temperature at 2 meters above ground"), not a
  // period's mean: each value stands at its own time.
  const temperatures: TemperatureSample[] = [];
  instantsMs.forEach((ms, k) => {
    const airTempC = temperature[k];
    if (typeof airTempC === 'number' && Number.isFinite(airTempC) && airTempC > -90 && airTempC < 60)
      temperatures.push({ at: new Date(ms), airTempC });
  });
  return { ok: true, points, ...(temperatures.length ? { temperatures } : {}) };
}
