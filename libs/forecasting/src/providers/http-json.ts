import type { ExternalPvPoint } from '../external-pv';
import { isRecord, type ProviderParse } from './provider-types';

/**
 * Any HTTP source of a PV forecast in JSON (as evcc's custom forecast source): where the series is, and which field of
 * each entry is its time and its power.
 */
export interface HttpJsonMapping {
  /** Dot path to the array of entries in the answer ('' or absent: the answer is the array). */
  seriesPath?: string;
  /** The entry's time: an ISO 8601 instant with its offset, or seconds since 1970 (UTC). */
  timeField: string;
  /** The entry's mean PV power over its period. */
  powerField: string;
  powerUnit: 'W' | 'kW';
  /** Whether an entry's time is the start of its period (the forecast topic's meaning) or its end. */
  timeIs: 'start' | 'end';
  /** The PV array the forecast is for; absent: the whole site, shared among the arrays by peak power. */
  device?: string;
}

function at(value: unknown, path: string): unknown {
  return path ? path.split('.').reduce<unknown>((v, key) => (isRecord(v) ? v[key] : undefined), value) : value;
}

function instantMs(value: unknown): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value * 1000;
  // An instant must say its offset: a local time without one would be placed wrongly by the server's time zone.
  if (typeof value === 'string' && /(Z|[+-]\d{2}:?\d{2})$/.test(value)) return Date.parse(value);
  return NaN;
}

/**
 * The forecast points of an HTTP JSON answer by its mapping. Every entry must have a time (with its offset) and a
 * power of 0 or more: the first that has not refuses the whole answer, named (a half-read answer is not planned
 * on). Sorted by time; an entry's end time is made its start with the step between entries. Pure.
 */
export function parseHttpJson(body: unknown, mapping: HttpJsonMapping): ProviderParse {
  const series = at(body, mapping.seriesPath ?? '');
  if (!Array.isArray(series)) return { ok: false, problem: `no array at "${mapping.seriesPath ?? ''}" in the answer` };
  const scale = mapping.powerUnit === 'kW' ? 1000 : 1;
  const entries: Array<{ ms: number; pvW: number }> = [];
  for (const [k, entry] of series.entries()) {
    const ms = instantMs(at(entry, mapping.timeField));
    const power = at(entry, mapping.powerField);
    if (Number.isNaN(ms))
      return {
        ok: false,
        problem: `entry ${k}: ${mapping.timeField} is not an instant with its offset or epoch seconds`,
      };
    if (typeof power !== 'number' || !Number.isFinite(power) || power < 0)
      return { ok: false, problem: `entry ${k}: ${mapping.powerField} is not a power of 0 or more` };
    entries.push({ ms, pvW: power * scale });
  }
  entries.sort((a, b) => a.ms - b.ms);
  if (entries.length < 2) return { ok: false, problem: 'fewer than two entries: no step to place them with' };
  const stepMs = mapping.timeIs === 'end' ? entries[1].ms - entries[0].ms : 0;
  const points: ExternalPvPoint[] = entries.map((e) => ({
    deviceId: mapping.device ?? '',
    at: new Date(e.ms - stepMs),
    pvW: e.pvW,
  }));
  return { ok: true, points };
}
