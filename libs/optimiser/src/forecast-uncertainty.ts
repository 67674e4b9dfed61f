import { localDayKind } from '@ilot/domain';
import {
  dailyClearness,
  DEFAULT_ROOFTOP,
  profileErrorQuantiles,
  type PvArray,
  quantileOfSorted,
} from '@ilot/forecasting';
import { devicesOfKind, type Site } from '@ilot/site';
import type { PlanInput, SiteObservations } from './plan-input';

/**
 * The quantile of the forecast error the contract guard holds against: the consumption this likely not to be
 * exceeded, the PV at the mirror quantile. A probability, not a figure fitted to a data set.
 */
export const GUARD_QUANTILE = 0.9;

/**
 * How much more the îlot may import than forecast, per slot, W >= 0: the consumption's measured error at the guard's
 * quantile (profile errors of the past days, libs/forecasting), plus the PV lost if the sky is as dull as the guard's
 * mirror quantile of the past days' clearness, or, where a calibrated external forecast planned the slot, its measured
 * residual at that quantile (issue 27 §4). Empty history: no guard (nothing measured to size it on).
 */
export function contractGuardOf(
  site: Site,
  observations: SiteObservations,
  slotStarts: readonly Date[],
  pvs: PlanInput['pvs'],
  /** The past days' clearness (pastClearness), measured once per plan. */
  clearness: PastClearness | undefined,
  /** Per slot, the PV shortfall at the guard's quantile measured on a calibrated external forecast, where one planned it. */
  calibratedShortfallW: ReadonlyArray<number | undefined> = [],
): PlanInput['contractGuard'] {
  const consumption = profileErrorQuantiles(
    {
      history: observations.consumptionHistory,
      slotStarts,
      dayKind: (at) => localDayKind(at, site.timezone),
    },
    [GUARD_QUANTILE],
  )?.get(GUARD_QUANTILE);
  if (!consumption) return undefined;
  const pvDropShare = pvDropShareOf(clearness);
  return {
    extraImportW: slotStarts.map(
      (_, t) =>
        Math.max(consumption[t], 0) +
        (calibratedShortfallW[t] ?? pvDropShare * pvs.reduce((sum, pv) => sum + Math.max(pv.forecastW[t], 0), 0)),
    ),
  };
}

/** Share of the PV forecast lost on a dull day: 1 - (clearness at the guard's low quantile / mean clearness), in [0, 1]. */
function pvDropShareOf(clearness: PastClearness | undefined): number {
  return Math.min(Math.max(1 - clearnessRatio(clearness, 1 - GUARD_QUANTILE), 0), 1);
}

/** The past days' clearness, sorted, and their mean: measured once per plan, read at each quantile the plan needs. */
export interface PastClearness {
  sortedDays: number[];
  mean: number;
}

/** The clearness of each past day the PV history holds; undefined with no PV or no day measured. */
export function pastClearness(
  site: Site,
  observations: SiteObservations,
  slotMinutes: number,
): PastClearness | undefined {
  const { array, peakW } = siteRooftop(site);
  if (peakW <= 0) return undefined;
  const sortedDays = dailyClearness(observations.pvHistory ?? [], peakW, array, slotMinutes).sort((a, b) => a - b);
  if (sortedDays.length === 0) return undefined;
  return { sortedDays, mean: sortedDays.reduce((a, b) => a + b, 0) / sortedDays.length };
}

/**
 * The past days' clearness at quantile `p` over their mean: what a forecast of the mean day is multiplied by for a day
 * as dull (p low) or as bright (p high) as that quantile of the days measured. 1 with no day measured.
 */
export function clearnessRatio(clearness: PastClearness | undefined, p: number): number {
  if (!clearness) return 1;
  return clearness.mean > 0 ? Math.max(quantileOfSorted(clearness.sortedDays, p) / clearness.mean, 0) : 1;
}

/** The site's PV as the forecasts model it: one typical rooftop at the site's location, with the arrays' total peak. */
export function siteRooftop(site: Site): { array: PvArray; peakW: number } {
  return {
    array: {
      latitudeDeg: site.location?.latitudeDeg ?? 0,
      longitudeDeg: site.location?.longitudeDeg ?? 0,
      ...DEFAULT_ROOFTOP,
    },
    peakW: devicesOfKind(site, 'pv').reduce((sum, pv) => sum + pv.peakW, 0),
  };
}
