import { EXTERNAL_NUDGE_PERSISTENCE_MS, pvResidualQuantileW } from '@ilot/forecasting';
import { devicesOfKind, type Site } from '@ilot/site';
import { clearnessRatio, type PastClearness } from './forecast-uncertainty';
import type { PlanInput } from './plan-input';
import type { ExternalPvUse } from './pv-plan';

/**
 * The PV forecast's outcomes a two-stage plan weighs beside the central forecast: its 10 % and 90 % quantiles, with
 * the extended Swanson-Megill weights (P10, P50, P90 at 0.3, 0.4, 0.3), a standard three-point stand-in for a
 * distribution. A probability rule, not a figure fitted to a data set.
 */
export const PV_SCENARIO_QUANTILES = [
  { name: 'dull (P10)', p: 0.1, probability: 0.3 },
  { name: 'bright (P90)', p: 0.9, probability: 0.3 },
] as const;

/**
 * Each array's PV per slot at each scenario's quantile: where a calibrated external forecast planned the slot, its
 * measured residuals at that quantile (issue 27 §4); elsewhere the forecast times the past days' clearness at that
 * quantile over their mean, within the array's limit. What the array makes now tells the first hours (the forecasts
 * are nudged by it): a slot's outcomes part from the central forecast by 1 - e^(-lead / the nudge's persistence), none
 * in the slot in progress, whose decisions every outcome shares. Empty when nothing measured spreads them (no
 * history): the plan is the central forecast's alone. Pure.
 */
export function pvScenariosOf(
  site: Site,
  /** The past days' clearness (pastClearness), measured once per plan. */
  clearness: PastClearness | undefined,
  pvs: PlanInput['pvs'],
  externalUse: ReadonlyMap<string, ExternalPvUse>,
  slotStarts: readonly Date[],
  now: Date,
): NonNullable<PlanInput['pvScenarios']> {
  const spread = slotStarts.map(
    (start) => 1 - Math.exp(-Math.max(start.getTime() - now.getTime(), 0) / EXTERNAL_NUDGE_PERSISTENCE_MS),
  );
  const limits = new Map(devicesOfKind(site, 'pv').map((pv) => [pv.id, pv.inverterW ?? pv.peakW]));
  const scenarios = PV_SCENARIO_QUANTILES.map(({ name, p, probability }) => {
    const ratio = clearnessRatio(clearness, p);
    const forecastW = pvs.map((pv) => {
      const use = externalUse.get(pv.id);
      const limitW = limits.get(pv.id) ?? Infinity;
      return pv.forecastW.map((w, t) => {
        const external = use?.slots[t];
        const quantileW =
          external !== undefined && use?.calibration
            ? Math.max(w + pvResidualQuantileW(use.calibration, external, p), 0)
            : Math.min(Math.max(w, 0) * ratio, Math.max(limitW, w));
        return w + (quantileW - w) * spread[t];
      });
    });
    return { name, probability, forecastW };
  });
  const spreadAtAll = scenarios.some((s) =>
    s.forecastW.some((series, k) => series.some((w, t) => Math.abs(w - pvs[k].forecastW[t]) > 1)),
  );
  return spreadAtAll ? scenarios : [];
}
