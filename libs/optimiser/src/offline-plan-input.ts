import type { TempoColour } from '@ilot/tariffs';
import type { EffacementOrder } from '@ilot/domain';
import { devicesOfKind, sheddableLoads, type Site } from '@ilot/site';
import { PLAN_DEFAULTS, type PlanEv, type PlanInput } from './plan-input';
import { effacementWindows, flexibleLoadOf, pricedSlots } from './plan-input.builder';

export interface OfflineOptions {
  socPct?: ReadonlyMap<string, number>;
  cyclingCostEurPerKWh?: number;
  /** Aggregator orders to answer, planned as the live planner plans them (a reference from the forecast import). */
  effacements?: readonly EffacementOrder[];
  /** EVs whose charging the plan decides (their chargers then take no series: the plan sets their power). */
  evs?: readonly PlanEv[];
  /** The Tempo colours of the local dates it covers (a Tempo tariff; a date without one is priced blue). */
  tempo?: ReadonlyMap<string, TempoColour>;
}

/** Non-controllable kinds whose expected power an offline what-if gives per slot. */
export const FORECAST_KINDS = new Set(['meter', 'pv', 'heat_pump', 'ev_charger', 'flexible_load']);

/**
 * The planner's snapshot for an offline what-if (`ilot optimise`): given forecasts per device and
 * slot instead of history. Every meter and pv of the site needs a series; batteries start at the
 * SoC given, or mid-range. Throws `PlanInputError` naming what is missing or wrong.
 */
export function planInputFromForecasts(
  site: Site,
  forecasts: { slotStarts: readonly Date[]; slotMinutes: number; powerW: ReadonlyMap<string, readonly number[]> },
  options: OfflineOptions = {},
): PlanInput {
  const problems = forecastProblems(site, forecasts.powerW, options.socPct);
  if (problems.length) throw new PlanInputError(problems);
  return offlineInput(site, forecasts, options);
}

/**
 * Series given per device (forecasts for `ilot optimise`, measured history for `ilot simulate --history`) that the site
 * cannot take: a device it does not have, one whose power the planner decides; and every meter and pv without one.
 */
export function seriesProblems(site: Site, deviceIds: ReadonlySet<string>, noun: 'forecast' | 'series'): string[] {
  const problems: string[] = [];
  for (const deviceId of deviceIds) {
    const device = site.devices.get(deviceId);
    if (!device) problems.push(`device "${deviceId}" is not in site "${site.id}"`);
    else if (!FORECAST_KINDS.has(device.kind))
      problems.push(`device "${deviceId}" is a ${device.kind}: the planner decides its power, it takes no ${noun}`);
  }
  for (const device of site.devices.values())
    if ((device.kind === 'meter' || device.kind === 'pv') && !deviceIds.has(device.id))
      problems.push(`no ${noun} for ${device.kind} "${device.id}"`);
  return problems;
}

/** What a forecast set cannot be planned with: unknown devices, controlled ones, missing meters or pv, bad SoCs. */
function forecastProblems(
  site: Site,
  powerW: ReadonlyMap<string, readonly number[]>,
  socPct: ReadonlyMap<string, number> | undefined,
): string[] {
  const problems = seriesProblems(site, new Set(powerW.keys()), 'forecast');
  for (const [deviceId, soc] of socPct ?? []) {
    const device = site.devices.get(deviceId);
    if (device?.kind !== 'battery') problems.push(`--soc ${deviceId}: no battery "${deviceId}" in site "${site.id}"`);
    else if (!(soc >= device.minSocPct && soc <= device.maxSocPct))
      problems.push(`--soc ${deviceId}=${soc}: must be within ${device.minSocPct}-${device.maxSocPct} %`);
  }
  return problems;
}

function offlineInput(
  site: Site,
  forecasts: { slotStarts: readonly Date[]; slotMinutes: number; powerW: ReadonlyMap<string, readonly number[]> },
  options: OfflineOptions,
): PlanInput {
  // A charger whose car the plan decides has its series left out until the car leaves: the plan sets its power.
  const departures = new Map((options.evs ?? []).map((ev) => [ev.deviceId ?? ev.id, ev.departure]));
  const consumptionW = forecasts.slotStarts.map((start, t) =>
    [...forecasts.powerW].reduce(
      (sum, [deviceId, series]) =>
        site.devices.get(deviceId)!.kind === 'pv' || start < (departures.get(deviceId) ?? start)
          ? sum
          : sum + series[t],
      0,
    ),
  );
  const pvs = devicesOfKind(site, 'pv').map((pv) => ({
    id: pv.id,
    forecastW: forecasts.powerW.get(pv.id)!.map((w) => Math.max(w, 0)),
  }));
  const batteries = devicesOfKind(site, 'battery').map((battery) => ({
    ...battery,
    socPct: options.socPct?.get(battery.id) ?? (battery.minSocPct + battery.maxSocPct) / 2,
  }));
  // The sheddable loads given a forecast are planned as the live planner plans them (their baseline is that forecast).
  const flexible = sheddableLoads(site).flatMap((device) => {
    const baselineW = forecasts.powerW.get(device.id);
    if (!baselineW || device.maxShedMinutes <= 0) return [];
    return [
      flexibleLoadOf(
        device,
        baselineW.map((w) => Math.max(w, 0)),
      ),
    ];
  });
  return {
    siteId: site.id,
    now: forecasts.slotStarts[0],
    slotMinutes: forecasts.slotMinutes,
    slots: pricedSlots(site, forecasts.slotStarts, consumptionW, options.tempo),
    batteries,
    pvs,
    ...(flexible.length ? { flexibleLoads: flexible } : {}),
    ...(options.evs?.length ? { evs: [...options.evs] } : {}),
    ...(options.effacements?.length
      ? {
          effacements: effacementWindows(forecasts.slotStarts, consumptionW, pvs, {
            effacements: [...options.effacements],
            ecowatt: [],
            tempo: new Map(),
          }),
        }
      : {}),
    connection: site.connection,
    cyclingCostEurPerKWh: options.cyclingCostEurPerKWh ?? PLAN_DEFAULTS.cyclingCostEurPerKWh,
    importLimitPenaltyEurPerKWh: PLAN_DEFAULTS.importLimitPenaltyEurPerKWh,
  };
}

export class PlanInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}
