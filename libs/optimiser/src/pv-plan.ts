import {
  calibratedPvW,
  externalPvSlots,
  forecastPv,
  learnPvCalibration,
  nudgedByLatest,
  type PvCalibration,
  pvResidualQuantileW,
  recentClearness,
} from '@ilot/forecasting';
import { devicesOfKind, type Site } from '@ilot/site';
import { siteRooftop } from './forecast-uncertainty';
import type { PlanInput, SiteObservations } from './plan-input';

/** An external PV forecast issued longer ago than this is stale: the planner falls back to clear sky x clearness. */
export const EXTERNAL_PV_MAX_AGE_MS = 24 * 3_600_000;

/**
 * The days of (external forecast, measured) pairs the calibration learns from: four weeks, enough days of every kind
 * of weather, short enough to follow the season's sun (the shade of a tree moves with it). Within the forecasts' own
 * retention (PV_FORECAST_RETENTION_DAYS).
 */
export const PV_CALIBRATION_DAYS = 28;

/** What the external forecast gives the plan: per array, the slots it covered (calibrated) and the array's calibration. */
export interface ExternalPvUse {
  slots: Array<number | undefined>;
  calibration?: PvCalibration;
}

/**
 * Each PV array's production per slot: an external forecast where one covers the slot (calibrated on the array, its
 * first hours nudged by the latest reading), else clear sky at the site x the recent clearness, nudged likewise. Also says how many slots the external forecast covered.
 */
export function pvForecasts(
  site: Site,
  observations: SiteObservations,
  now: Date,
  slotStarts: Date[],
  slotMinutes: number,
): { pvs: PlanInput['pvs']; externalSlots: number; externalUse: ReadonlyMap<string, ExternalPvUse> } {
  const { array, peakW } = siteRooftop(site);
  const typicalClearness = recentClearness(observations.pvHistory ?? [], peakW, array, slotMinutes, now);
  const arrays = devicesOfKind(site, 'pv');
  const external = observations.pvForecast
    ? externalPvSlots(observations.pvForecast.points, arrays, slotStarts, slotMinutes)
    : undefined;
  const calibrations = external ? pvCalibrations(site, observations, slotMinutes) : new Map<string, PvCalibration>();
  const halfSlotMs = (slotMinutes * 60_000) / 2;
  const externalUse = new Map<string, ExternalPvUse>();
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
    const calibration = calibrations.get(pv.id);
    const calibratedW = (external?.get(pv.id) ?? []).map((w, t) =>
      w === undefined || !calibration
        ? w
        : calibratedPvW(calibration, new Date(slotStarts[t].getTime() + halfSlotMs), w),
    );
    // What the array makes now corrects the first hours, as the own forecast's latest clearness does.
    const externalW = nudgedByLatest(calibratedW, slotStarts, now, latest, pv.peakW, pv.inverterW ?? pv.peakW);
    externalUse.set(pv.id, { slots: externalW, ...(calibration ? { calibration } : {}) });
    externalSlots = Math.max(externalSlots, externalW.filter((w) => w !== undefined).length);
    return { id: pv.id, forecastW: clearSkyW.map((w, t) => externalW[t] ?? w) };
  });
  return { pvs, externalSlots, externalUse };
}

/**
 * Each array's calibration of the external forecast (libs/forecasting learnPvCalibration), from the past slots the
 * observations carry: the forecast as the planner had it, beside the array's measured mean. An array with too little
 * of both has none (its external forecast is taken raw).
 */
function pvCalibrations(site: Site, observations: SiteObservations, slotMinutes: number): Map<string, PvCalibration> {
  const history = observations.pvCalibrationHistory;
  const out = new Map<string, PvCalibration>();
  if (!history || history.forecast.length === 0) return out;
  const arrays = devicesOfKind(site, 'pv');
  const slotMs = slotMinutes * 60_000;
  // The forecast of every array over every slot any of them measured, in one pass (a site-wide point is shared among
  // all the arrays by peak power), looked up by slot below.
  const slotMsList = [...new Set([...history.measured.values()].flat().map((s) => s.at.getTime()))].sort(
    (a, b) => a - b,
  );
  const slotIndex = new Map(slotMsList.map((ms, k) => [ms, k]));
  const forecasts = externalPvSlots(
    history.forecast,
    arrays,
    slotMsList.map((ms) => new Date(ms)),
    slotMinutes,
  );
  for (const pv of arrays) {
    const measured = history.measured.get(pv.id) ?? [];
    if (measured.length === 0) continue;
    const forecastW = forecasts.get(pv.id)!;
    const pairs = measured.flatMap((sample) => {
      const w = forecastW[slotIndex.get(sample.at.getTime())!];
      return w === undefined
        ? []
        : [{ at: new Date(sample.at.getTime() + slotMs / 2), forecastW: w, measuredW: sample.powerW }];
    });
    const calibration = learnPvCalibration(pairs, {
      peakW: pv.peakW,
      limitW: pv.inverterW ?? pv.peakW,
      longitudeDeg: site.location?.longitudeDeg ?? 0,
    });
    if (calibration) out.set(pv.id, calibration);
  }
  return out;
}

/**
 * The PV the îlot may lack against the plan, per slot, at the guard's quantile, W >= 0, where a calibrated external
 * forecast planned the slot (its measured residuals); undefined where it did not (the guard takes its own estimate).
 */
export function calibratedPvShortfallW(
  externalUse: ReadonlyMap<string, ExternalPvUse>,
  slots: number,
  lowQuantile: number,
): Array<number | undefined> {
  return Array.from({ length: slots }, (_, t) => {
    let shortfallW = 0;
    for (const use of externalUse.values()) {
      const w = use.slots[t];
      if (w === undefined || !use.calibration) return undefined;
      shortfallW -= pvResidualQuantileW(use.calibration, w, lowQuantile);
    }
    return externalUse.size ? Math.max(shortfallW, 0) : undefined;
  });
}

/** What `pvSource` says when no external forecast planned a slot (none fresh, or none covering the horizon). */
export const OWN_PV_SOURCE = 'own forecast (clear sky x recent clearness): no fresh external forecast';

/** Where the PV forecast came from: the external one used, or the planner's own. */
export function pvSourceOf(
  forecast: SiteObservations['pvForecast'],
  externalSlots: number,
  slots: number,
  externalUse: ReadonlyMap<string, ExternalPvUse> = new Map(),
): { pvSource?: string } {
  if (!forecast || externalSlots === 0) return { pvSource: OWN_PV_SOURCE };
  const calibrated = [...externalUse.values()].filter((use) => use.calibration).length;
  const calibration = calibrated
    ? `, calibrated on the îlot's measurements for ${calibrated} of ${externalUse.size} arrays`
    : ', not calibrated (too few days measured beside it)';
  return {
    pvSource: `external forecast${forecast.source ? ` "${forecast.source}"` : ''} issued ${forecast.issuedAt.toISOString()}, ${externalSlots} of ${slots} slots (clear sky x clearness for the rest)${calibration}`,
  };
}
