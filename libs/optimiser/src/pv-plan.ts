import { externalPvSlots, forecastPv, recentClearness } from '@ilot/forecasting';
import { devicesOfKind, type Site } from '@ilot/site';
import { siteRooftop } from './forecast-uncertainty';
import type { PlanInput, SiteObservations } from './plan-input';

/** An external PV forecast issued longer ago than this is stale: the planner falls back to clear sky x clearness. */
export const EXTERNAL_PV_MAX_AGE_MS = 24 * 3_600_000;

/**
 * Each PV array's production per slot: an external forecast where one covers the slot, else clear sky at the site x
 * the recent clearness, nudged by its latest reading. Also says how many slots the external forecast covered.
 */
export function pvForecasts(
  site: Site,
  observations: SiteObservations,
  now: Date,
  slotStarts: Date[],
  slotMinutes: number,
): { pvs: PlanInput['pvs']; externalSlots: number } {
  const { array, peakW } = siteRooftop(site);
  const typicalClearness = recentClearness(observations.pvHistory ?? [], peakW, array, slotMinutes, now);
  const arrays = devicesOfKind(site, 'pv');
  const external = observations.pvForecast
    ? externalPvSlots(observations.pvForecast.points, arrays, slotStarts, slotMinutes)
    : undefined;
  let externalSlots = 0;
  const pvs = arrays.map((pv) => {
    const latest = observations.latest.get(pv.id);
    const clearSkyW = forecastPv({
      now,
      slotStarts,
      slotMinutes,
      peakW: pv.peakW,
      array,
      latest: latest && { at: latest.ts, powerW: latest.powerW },
      typicalClearness,
    });
    const externalW = external?.get(pv.id) ?? [];
    externalSlots = Math.max(externalSlots, externalW.filter((w) => w !== undefined).length);
    return { id: pv.id, forecastW: clearSkyW.map((w, t) => externalW[t] ?? w) };
  });
  return { pvs, externalSlots };
}

/** Where the PV forecast came from, when an external one was used. */
export function pvSourceOf(
  forecast: SiteObservations['pvForecast'],
  externalSlots: number,
  slots: number,
): { pvSource?: string } {
  if (!forecast || externalSlots === 0) return {};
  return {
    pvSource: `external forecast${forecast.source ? ` "${forecast.source}"` : ''} issued ${forecast.issuedAt.toISOString()}, ${externalSlots} of ${slots} slots (clear sky x clearness for the rest)`,
  };
}
