import { pvResidualQuantileW } from '@ilot/forecasting';
import { devicesOfKind, type Site } from '@ilot/site';
import { clearnessRatio } from './forecast-uncertainty';
import type { PlanInput, SiteObservations } from './plan-input';
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
 * quantile over their mean, within the array's limit. Empty when nothing measured spreads them (no history): the plan
 * is the central forecast's alone. Pure.
 */
export function pvScenariosOf(
  site: Site,
  observations: SiteObservations,
  pvs: PlanInput['pvs'],
  externalUse: ReadonlyMap<string, ExternalPvUse>,
  slotMinutes: number,
): NonNullable<PlanInput['pvScenarios']> {
  const limits = new Map(devicesOfKind(site, 'pv').map((pv) => [pv.id, pv.inverterW ?? pv.peakW]));
  const scenarios = PV_SCENARIO_QUANTILES.map(({ name, p, probability }) => {
    const ratio = clearnessRatio(site, observations, slotMinutes, p);
    const forecastW = pvs.map((pv) => {
      const use = externalUse.get(pv.id);
      const limitW = limits.get(pv.id) ?? Infinity;
      return pv.forecastW.map((w, t) => {
        const external = use?.slots[t];
        if (external !== undefined && use?.calibration)
          return Math.max(w + pvResidualQuantileW(use.calibration, external, p), 0);
        return Math.min(Math.max(w, 0) * ratio, Math.max(limitW, w));
      });
    });
    return { name, probability, forecastW };
  });
  const spread = scenarios.some((s) =>
    s.forecastW.some((series, k) => series.some((w, t) => Math.abs(w - pvs[k].forecastW[t]) > 1)),
  );
  return spread ? scenarios : [];
}
