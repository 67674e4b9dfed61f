import { addMs, CONSUMING_KINDS, MINUTE_MS, slotStart } from '@ilot/domain';
import { DEFAULT_ROOFTOP, forecastConsumption, forecastPv, PowerSample, recentClearness } from '@ilot/forecasting';
import type { PlanInput } from './plan-input';
import { devicesOfKind, Site } from '@ilot/site';
import { localDayKind, priceAt } from '@ilot/tariffs';

export interface SiteObservations {
  /** Latest fresh reading per device (stale and offline ones already left out). */
  latest: ReadonlyMap<string, { ts: Date; powerW: number; socPct: number | null }>;
  /** Why a device has no entry in `latest` (offline, stale, silent), as `describeLiveness` says it. */
  unavailable?: ReadonlyMap<string, string>;
  /** Bucket means of the îlot's non-controllable consumption over the past days. */
  consumptionHistory: PowerSample[];
  /** Bucket means of the îlot's total PV production over the past day (the clearness to expect). */
  pvHistory?: PowerSample[];
}

export interface PlanSettings {
  slotMinutes: number;
  horizonSlots: number;
  cyclingCostEurPerKWh: number;
}

/** The planner's snapshot of the îlot: forecasts, prices, battery states. Pure: `now` is given. */
export function buildPlanInput(site: Site, observations: SiteObservations, now: Date, settings: PlanSettings): { input: PlanInput; excluded: string[] } {
  const slotMs = settings.slotMinutes * MINUTE_MS;
  const first = slotStart(now, slotMs);
  const slotStarts = Array.from({ length: settings.horizonSlots }, (_, t) => addMs(first, t * slotMs));
  const excluded: string[] = [];

  const consumers = [...site.devices.values()].filter((d) => CONSUMING_KINDS.has(d.kind));
  const fresh = consumers.filter((d) => observations.latest.has(d.id));
  // Stale or offline inputs are never silently used: they are named, and the consumption they miss is scaled from the fresh ones.
  for (const device of [...site.devices.values()])
    if (device.kind !== 'grid' && device.kind !== 'battery' && !observations.latest.has(device.id))
      excluded.push(observations.unavailable?.get(device.id) ?? `${device.id}: no fresh reading`);
  const latestConsumption = fresh.length
    ? { at: now, powerW: fresh.reduce((sum, d) => sum + observations.latest.get(d.id)!.powerW, 0) * (consumers.length / fresh.length) }
    : undefined;
  const consumptionW = forecastConsumption({
    now,
    slotStarts,
    history: observations.consumptionHistory,
    latest: latestConsumption,
    dayKind: (at) => localDayKind(at, site.timezone),
  });

  const array = { latitudeDeg: site.location?.latitudeDeg ?? 0, longitudeDeg: site.location?.longitudeDeg ?? 0, ...DEFAULT_ROOFTOP };
  const pvDevices = devicesOfKind(site, 'pv');
  const typicalClearness = recentClearness(
    observations.pvHistory ?? [],
    pvDevices.reduce((sum, pv) => sum + pv.peakW, 0),
    array,
    settings.slotMinutes,
  );
  const pvs = pvDevices.map((pv) => {
    const latest = observations.latest.get(pv.id);
    return {
      id: pv.id,
      forecastW: forecastPv({
        now,
        slotStarts,
        slotMinutes: settings.slotMinutes,
        peakW: pv.peakW,
        array,
        latest: latest && { at: latest.ts, powerW: latest.powerW },
        typicalClearness,
      }),
    };
  });

  const batteries = devicesOfKind(site, 'battery').flatMap((battery) => {
    const soc = observations.latest.get(battery.id)?.socPct;
    if (soc === null || soc === undefined) {
      excluded.push(observations.unavailable?.get(battery.id) ?? `${battery.id}: no fresh state of charge`);
      return [];
    }
    return [{ ...battery, socPct: soc }];
  });

  const input: PlanInput = {
    siteId: site.id,
    now,
    slotMinutes: settings.slotMinutes,
    slots: slotStarts.map((start, t) => {
      const price = priceAt(start, site.tariff, site.timezone);
      return { start, consumptionW: Math.max(consumptionW[t], 0), importEurPerKWh: price.importEurPerKWh, exportEurPerKWh: price.exportEurPerKWh };
    }),
    batteries,
    pvs,
    connection: site.connection,
    cyclingCostEurPerKWh: settings.cyclingCostEurPerKWh,
    importLimitPenaltyEurPerKWh: 5,
  };
  return { input, excluded };
}
