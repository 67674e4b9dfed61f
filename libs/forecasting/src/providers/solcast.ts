import { parseHttpJson } from './http-json';
import type { ProviderParse } from './provider-types';

/** Solcast's API (rooftop sites; a key; a hobbyist account has 10 calls a day). */
export const SOLCAST_BASE_URL = 'https://api.solcast.com.au';

/**
 * A rooftop site's forecast (https://docs.solcast.com.au, "Rooftop sites", forecasts): `/rooftop_sites/{id}/forecasts`,
 * 48 hours, JSON; the key goes in the Authorization header, never in the URL (it would be logged).
 */
export function solcastUrl(baseUrl: string, resourceId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/rooftop_sites/${encodeURIComponent(resourceId)}/forecasts?format=json&hours=48`;
}

/**
 * Solcast's answer: `forecasts[]`, each `pv_estimate` (kW, the period's mean) and `period_end` (UTC); made into points
 * at each period's start. For one array (`device`) or the whole site. Pure.
 */
export function parseSolcast(body: unknown, device?: string): ProviderParse {
  return parseHttpJson(body, {
    seriesPath: 'forecasts',
    timeField: 'period_end',
    powerField: 'pv_estimate',
    powerUnit: 'kW',
    timeIs: 'end',
    ...(device ? { device } : {}),
  });
}
