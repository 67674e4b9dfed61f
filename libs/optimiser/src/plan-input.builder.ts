import { addMs, CONSUMING_KINDS, MINUTE_MS, slotStart } from '@ilot/domain';
import type { PowerSample } from '@ilot/forecasting';
import { consumptionWithoutPlannedEvs, plannedEvs } from './ev-plan';
import { consumptionForecastW, loadForecastW } from './load-forecast';
import { calibratedPvShortfallW, pvForecasts, pvSourceOf } from './pv-plan';
import { contractGuardOf, GUARD_QUANTILE, pastClearness } from './forecast-uncertainty';
import { pvScenariosOf } from './pv-scenarios';
import { planHorizonSlots } from './plan-horizon';
import {
  ECOWATT_WINDOW_PREFIX,
  PLAN_DEFAULTS,
  type PlanFlexibleLoad,
  type PlanInput,
  type PlanSignals,
  type SiteObservations,
} from './plan-input';

export type { PlanSignals, SiteObservations } from './plan-input';
import { devicesOfKind, electricDevices, sheddableLoads, Site } from '@ilot/site';
import { contractedImportW, priceAt, type TempoColour } from '@ilot/tariffs';

export interface PlanSettings {
  slotMinutes: number;
  horizonSlots: number;
  cyclingCostEurPerKWh: number;
  /** Plan over the PV forecast's quantiles too (pv-scenarios.ts: a two-stage plan), not its central forecast alone. */
  pvScenarios?: boolean;
}

/** The planner's snapshot of the îlot: forecasts, prices, battery states. Pure: `now` is given. */
export function buildPlanInput(
  site: Site,
  observations: SiteObservations,
  now: Date,
  settings: PlanSettings,
): { input: PlanInput; excluded: string[]; pvExternalSlots: number } {
  const slotMs = settings.slotMinutes * MINUTE_MS;
  const first = slotStart(now, slotMs);
  // Longer than the base horizon to reach the end of every known order (up to 48 h, plan-horizon.ts).
  const horizonSlots = planHorizonSlots(
    settings.horizonSlots,
    settings.slotMinutes,
    first,
    observations.signals?.effacements ?? [],
  );
  const slotStarts = Array.from({ length: horizonSlots }, (_, t) => addMs(first, t * slotMs));
  const excluded: string[] = [];
  const evs = plannedEvs(site, observations, addMs(first, slotMs));
  const consumption = consumptionForecast(site, observations, now, slotStarts, excluded);
  const consumptionW = consumptionWithoutPlannedEvs(site, observations, evs, now, slotStarts, consumption.forecastW);
  const { pvs, externalSlots, externalUse } = pvForecasts(site, observations, now, slotStarts, settings.slotMinutes);
  const batteries = batteryStates(site, observations, excluded);
  const clearness = pastClearness(site, observations, settings.slotMinutes);

  const input: PlanInput = {
    siteId: site.id,
    now,
    slotMinutes: settings.slotMinutes,
    slots: pricedSlots(site, slotStarts, consumptionW, observations.signals?.tempo),
    batteries,
    pvs,
    flexibleLoads: flexibleLoads(site, observations, now, slotStarts),
    ...(evs.length ? { evs } : {}),
    effacements: effacementWindows(slotStarts, consumptionW, pvs, observations.signals),
    contractGuard: contractGuardOf(
      site,
      observations,
      slotStarts,
      pvs,
      clearness,
      calibratedPvShortfallW(externalUse, slotStarts.length, 1 - GUARD_QUANTILE),
    ),
    forecastBasis: {
      ...forecastBasisOf(observations.consumptionHistory),
      loadModel: consumption.loadModel,
      ...pvSourceOf(observations.pvForecast, externalSlots, slotStarts.length, externalUse),
    },
    ...(peakChargeEurPerKW(site)
      ? { peak: { eurPerKW: peakChargeEurPerKW(site)!, peakSoFarW: Math.max(observations.monthPeakImportW ?? 0, 0) } }
      : {}),
    connection: site.connection,
    ...(settings.pvScenarios ? { pvScenarios: pvScenariosOf(site, clearness, pvs, externalUse, slotStarts, now) } : {}),
    cyclingCostEurPerKWh: settings.cyclingCostEurPerKWh,
    importLimitPenaltyEurPerKWh: PLAN_DEFAULTS.importLimitPenaltyEurPerKWh,
  };
  return { input, excluded, pvExternalSlots: externalSlots };
}

/**
 * The îlot's consumption per slot, from its history and its latest fresh readings. Stale or offline inputs are never
 * silently used: each is named in `excluded`, and the consumption they miss is scaled from the fresh ones.
 */
function consumptionForecast(
  site: Site,
  observations: SiteObservations,
  now: Date,
  slotStarts: Date[],
  excluded: string[],
): { forecastW: number[]; loadModel: string } {
  const consumers = [...site.devices.values()].filter((d) => CONSUMING_KINDS.has(d.kind));
  const fresh = consumers.filter((d) => observations.latest.has(d.id));
  for (const device of electricDevices(site))
    if (device.kind !== 'grid' && device.kind !== 'battery' && !observations.latest.has(device.id))
      excluded.push(observations.unavailable?.get(device.id) ?? `${device.id}: no fresh reading`);
  const latestW = fresh.length
    ? fresh.reduce((sum, d) => sum + observations.latest.get(d.id)!.powerW, 0) * (consumers.length / fresh.length)
    : undefined;
  return consumptionForecastW(site, now, slotStarts, observations, latestW);
}

/** The batteries with a fresh state of charge; the others are named in `excluded` and left out of the plan. */
function batteryStates(site: Site, observations: SiteObservations, excluded: string[]): PlanInput['batteries'] {
  return devicesOfKind(site, 'battery').flatMap((battery) => {
    const soc = observations.latest.get(battery.id)?.socPct;
    if (soc === null || soc === undefined) {
      excluded.push(observations.unavailable?.get(battery.id) ?? `${battery.id}: no fresh state of charge`);
      return [];
    }
    return [{ ...battery, socPct: soc }];
  });
}

/**
 * The sheddable loads with a fresh reading and a history: each one's baseline forecast (the same method as the
 * consumption's) and its declared flexibility. A shed heat pump or water heater makes up all it was denied.
 */
function flexibleLoads(
  site: Site,
  observations: SiteObservations,
  now: Date,
  slotStarts: Date[],
): NonNullable<PlanInput['flexibleLoads']> {
  return sheddableLoads(site).flatMap((device) => {
    const latest = observations.latest.get(device.id);
    const history = observations.flexibleHistory?.get(device.id);
    if (!latest || !history || device.maxShedMinutes <= 0) return [];
    // A load that owes energy was held under a limit: its latest reading is what the limit let it draw, not its demand.
    const owedWh = observations.owedWh?.get(device.id) ?? 0;
    const latestW = owedWh > 0 ? undefined : latest.powerW;
    const baselineW = loadForecastW(site, now, slotStarts, history, latestW).map((w) => Math.max(w, 0));
    return [{ ...flexibleLoadOf(device, baselineW), ...(owedWh > 0 ? { owedWh } : {}) }];
  });
}

/** A sheddable device of the site as the plan takes it: its baseline and its declared flexibility; what it sheds it makes up. */
export function flexibleLoadOf(
  device: ReturnType<typeof sheddableLoads>[number],
  baselineW: number[],
): PlanFlexibleLoad {
  return {
    id: device.id,
    baselineW,
    maxShedW: device.maxShedW,
    ratedW: device.ratedW ?? device.maxShedW,
    maxShedMinutes: device.maxShedMinutes,
    recoveryRatio: 1,
  };
}

/** Slots with the site's tariff applied (local time for HP/HC and Tempo). */
export function pricedSlots(
  site: Site,
  slotStarts: readonly Date[],
  consumptionW: readonly number[],
  tempo?: ReadonlyMap<string, TempoColour>,
): PlanInput['slots'] {
  return slotStarts.map((start, t) => {
    const price = priceAt(start, site.tariff, site.timezone, (date) => tempo?.get(date), site.priceSeries);
    return {
      start,
      consumptionW: Math.max(consumptionW[t], 0),
      importEurPerKWh: price.importEurPerKWh,
      exportEurPerKWh: price.exportEurPerKWh,
      ...(site.connection.capacity ? { importLimitW: contractedImportW(start, site) } : {}),
      ...(price.period ? { period: price.period } : {}),
    };
  });
}

/** How many days of history the consumption forecast had (first to last sample), and whether it had none. */
function forecastBasisOf(history: readonly PowerSample[]): NonNullable<PlanInput['forecastBasis']> {
  if (history.length === 0) return { historyDays: 0, coldStart: true };
  const times = history.map((s) => s.at.getTime());
  const spanMs = Math.max(...times) - Math.min(...times);
  return { historyDays: Math.round((spanMs / 86_400_000) * 10) / 10, coldStart: false };
}

/**
 * Effacement windows from the signals: an order caps the import at its reference (the import
 * expected without flexibility, averaged over the window) minus the reduction asked; EcoWatt
 * orange and red ask a voluntary share of that reference. Windows outside the horizon are dropped.
 */
export function effacementWindows(
  slotStarts: readonly Date[],
  consumptionW: readonly number[],
  pvs: ReadonlyArray<{ forecastW: number[] }>,
  signals: PlanSignals | undefined,
): NonNullable<PlanInput['effacements']> {
  if (!signals) return [];
  const referenceW = (start: Date, end: Date) => {
    const inside = slotStarts.flatMap((s, t) => (s >= start && s < end ? [t] : []));
    if (inside.length === 0) return undefined;
    const importW = inside.map((t) => Math.max(consumptionW[t] - pvs.reduce((sum, pv) => sum + pv.forecastW[t], 0), 0));
    return importW.reduce((a, b) => a + b, 0) / importW.length;
  };
  const windows: NonNullable<PlanInput['effacements']> = [];
  for (const order of signals.effacements) {
    const reference = order.referenceW ?? referenceW(order.start, order.end);
    if (reference !== undefined)
      windows.push({
        id: order.id,
        start: order.start,
        end: order.end,
        importCapW: Math.max(reference - order.reductionW, 0),
        penaltyEurPerKWh: PLAN_DEFAULTS.effacementPenaltyEurPerKWh,
        reserveW: Math.min(PLAN_DEFAULTS.effacementReserveShare * reference, Math.max(reference - order.reductionW, 0)),
        ...(order.reductionW > reference ? { unreachableW: order.reductionW - reference } : {}),
      });
  }
  for (const alert of signals.ecowatt) {
    if (alert.level === 1) continue;
    const reference = referenceW(alert.start, alert.end);
    const { share, penaltyEurPerKWh } = PLAN_DEFAULTS.ecowatt[alert.level];
    if (reference !== undefined)
      windows.push({
        id: `${ECOWATT_WINDOW_PREFIX}${alert.level}-${alert.start.toISOString()}`,
        start: alert.start,
        end: alert.end,
        importCapW: reference * (1 - share),
        penaltyEurPerKWh,
      });
  }
  return windows;
}

/** The site's capacity charge on the month's highest import, EUR per kW, if its tariff has one. */
export function peakChargeEurPerKW(site: Site): number | undefined {
  return site.tariff.kind === 'dynamic' ? site.tariff.peakEurPerKW : undefined;
}
