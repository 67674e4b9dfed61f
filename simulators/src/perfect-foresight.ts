import { DAY_MS, MINUTE_MS } from '@ilot/domain';
import {
  FORECAST_KINDS,
  type LpSolver,
  plan,
  planInputFromForecasts,
  type PlanEv,
  type PlanFlexibleLoad,
  type PlanInput,
  type Schedule,
} from '@ilot/optimiser';
import { devicesOfKind, type Site } from '@ilot/site';
import type { TempoColour } from '@ilot/tariffs';
import { storedValueEfficiency } from './effacement-outcome';
import { IlotWorld } from './ilot-world';
import type { MeasuredHistory } from './measured-history';
import type { ProfileTable } from './profile-table';

/**
 * The bound of a replay: the batteries planned once over the whole period with the true consumption and PV (read from
 * a shadow world that runs the same profiles), at the replay's step, with the same wear cost and start SoC. What a
 * planner with perfect forecasts and nothing to re-plan would do, its sheddable loads planned as the live planner plans
 * them (their true demand the baseline). Returns the plan (each step's battery setpoints and load sheds) and the loads.
 */
export function perfectForesightPlan(
  site: Site,
  profiles: ProfileTable | MeasuredHistory,
  options: {
    start: Date;
    days: number;
    stepMinutes: number;
    initialSocPct?: number;
    solver: LpSolver;
    /** The Tempo colours, every one known ahead (perfect foresight). */
    tempoColours?: ReadonlyMap<string, TempoColour>;
  },
): { schedule: Schedule; loads: PlanFlexibleLoad[]; evs: ForeseenEv[] } {
  const { slotStarts, powerW, socPct } = trueSeries(site, profiles, options);
  const world = new IlotWorld(site, profiles);
  const evs = foreseenEvs(world, options.start, options.days);
  // A smart charger's power is the plan's: its cars come in as EVs, each from its arrival to its departure.
  for (const ev of evs) powerW.delete(ev.deviceId);
  const input = planInputFromForecasts(
    site,
    { slotStarts, slotMinutes: options.stepMinutes, powerW },
    { socPct, evs, ...(options.tempoColours ? { tempo: options.tempoColours } : {}) },
  );
  return {
    schedule: plan(asReplayCounts(input, site, world), options.solver).schedule,
    loads: input.flexibleLoads ?? [],
    evs,
  };
}

/** Per kWh above the contract, EUR, for the bound under a capacity tariff: more than any saving an overrun could buy. */
export const BOUND_OVERRUN_EUR_PER_KWH = 1000;

/**
 * The bound plans what the replay counts (ReplayMeter's cost net of storage, issue 27 §6: on a Lyon îlot the optimiser
 * beat its "bound" by 8 EUR a week): energy stored at the end worth the period's cheapest import price x the discharge
 * efficiency, energy a load or a car still plugged at the end owes bought after it at that price (a car leaving within
 * the period still costs its shortfall penalty), the contract held on the 15-min means the replay counts rather than
 * in each step, and under a capacity tariff every overrun it can avoid avoided: the tariff charges the smallest one a
 * whole interval (or the month's highest kW), which no price per kWh matches (at 11.75 EUR/kWh the bound overran by
 * 50 W and paid 2.94 EUR for the interval). The wear is the planner's, which the replay's cost counts too.
 */
function asReplayCounts(input: PlanInput, site: Site, world: IlotWorld): PlanInput {
  const cheapestEurPerKWh = Math.min(...input.slots.map((slot) => slot.importEurPerKWh));
  const endMs = input.slots.length
    ? input.slots[input.slots.length - 1].start.getTime() + input.slotMinutes * MINUTE_MS
    : input.now.getTime();
  const overrunEurPerKWh = site.connection.capacity ? BOUND_OVERRUN_EUR_PER_KWH : 0;
  return {
    ...input,
    importLimitPenaltyEurPerKWh: Math.max(input.importLimitPenaltyEurPerKWh, overrunEurPerKWh),
    // The replay counts the contract on 15-min means, as the meter does: so does the bound, planned at a shorter step.
    contractIntervalMinutes: 15,
    endValue: { storedEurPerKWh: cheapestEurPerKWh * storedValueEfficiency(world), owedEurPerKWh: cheapestEurPerKWh },
    ...(input.evs
      ? {
          evs: input.evs.map((ev) =>
            ev.departure.getTime() >= endMs ? { ...ev, shortfallEurPerKWh: cheapestEurPerKWh } : ev,
          ),
        }
      : {}),
  };
}

/** A car planned ahead by perfect foresight: one visit of a charger, named by it (`deviceId@arrival`). */
export type ForeseenEv = PlanEv & { deviceId: string };

/**
 * The cars that come to the smart chargers over the period, as EVs the plan decides: from their arrival (or the start)
 * to their departure (or the end), each wanting its whole energy (the replayed world starts with nothing delivered).
 */
function foreseenEvs(world: IlotWorld, start: Date, days: number): ForeseenEv[] {
  const endMs = start.getTime() + days * DAY_MS;
  return devicesOfKind(world.site, 'ev_charger').flatMap((device) =>
    (world.chargers.get(device.id)?.visitsBetween(start.getTime(), endMs) ?? []).map((visit) => ({
      id: `${device.id}@${new Date(visit.arrivalMs).toISOString()}`,
      deviceId: device.id,
      maxW: device.maxW,
      energyNeededWh: visit.energyWh,
      availableFrom: new Date(Math.max(visit.arrivalMs, start.getTime())),
      departure: new Date(Math.min(visit.departureMs, endMs)),
    })),
  );
}

/**
 * What the world will do, step by step, read from a shadow world on the same profiles: the power of every device the
 * planner forecasts (meters, PV, heat pumps, chargers, sheddable loads, as they run on their own), and the batteries'
 * start SoC. Loads are not shed in it: their own demand is the truth a forecast aims at.
 */
export function trueSeries(
  site: Site,
  profiles: ProfileTable | MeasuredHistory,
  options: { start: Date; days: number; stepMinutes: number; initialSocPct?: number },
): { slotStarts: Date[]; powerW: Map<string, number[]>; socPct: Map<string, number> } {
  const shadow = new IlotWorld(site, profiles, options.initialSocPct);
  const socPct = new Map([...shadow.batteries].map(([id, b]) => [id, b.socPct]));
  const stepMs = options.stepMinutes * MINUTE_MS;
  const steps = Math.round((options.days * 1440) / options.stepMinutes);
  const slotStarts = Array.from({ length: steps }, (_, k) => new Date(options.start.getTime() + k * stepMs));
  const forecastIds = [...site.devices.values()].filter((d) => FORECAST_KINDS.has(d.kind)).map((d) => d.id);
  const powerW = new Map<string, number[]>(forecastIds.map((id) => [id, []]));
  for (const at of slotStarts)
    for (const reading of shadow.step(at)) powerW.get(reading.deviceId)?.push(reading.powerW);
  return { slotStarts, powerW, socPct };
}

/** The true series as slot means: device -> slot start (ms) -> mean power, W. */
export function trueSlotMeans(
  series: { slotStarts: Date[]; powerW: Map<string, number[]> },
  slotMinutes: number,
): Map<string, Map<number, number>> {
  const slotMs = slotMinutes * MINUTE_MS;
  const means = new Map<string, Map<number, number>>();
  for (const [id, values] of series.powerW) {
    const sums = new Map<number, { sumW: number; n: number }>();
    values.forEach((w, k) => {
      const slot = Math.floor(series.slotStarts[k].getTime() / slotMs) * slotMs;
      const entry = sums.get(slot) ?? { sumW: 0, n: 0 };
      entry.sumW += w;
      entry.n++;
      sums.set(slot, entry);
    });
    means.set(id, new Map([...sums].map(([slot, { sumW, n }]) => [slot, sumW / n])));
  }
  return means;
}
