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
  type StoredEnergySegment,
  storedEnergySegments,
} from '@ilot/optimiser';
import { devicesOfKind, type Site } from '@ilot/site';
import type { TempoColour } from '@ilot/tariffs';
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
    /** What the batteries' energy is worth at the end (`endOfPeriodValue`), when the caller has it already. */
    endValue?: Readonly<Record<string, readonly StoredEnergySegment[]>>;
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
    schedule: plan(
      asReplayCounts(input, site, options.endValue ?? endOfPeriodValue(site, profiles, options)),
      options.solver,
    ).schedule,
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
function asReplayCounts(
  input: PlanInput,
  site: Site,
  endSegments: Readonly<Record<string, readonly StoredEnergySegment[]>>,
): PlanInput {
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
    endValue: { storedSegments: endSegments, owedEurPerKWh: cheapestEurPerKWh },
    ...(input.evs
      ? {
          evs: input.evs.map((ev) =>
            ev.departure.getTime() >= endMs ? { ...ev, shortfallEurPerKWh: cheapestEurPerKWh } : ev,
          ),
        }
      : {}),
  };
}

/**
 * What the energy each battery holds at a replay's end is worth (ADR 0017): what the live planner says of the energy
 * at its horizon's end (ADR 0009, `storedEnergySegments`: what refilling it would cost, the top at the feed-in price
 * where a day's PV surplus refills it, the rest at the grid's cheapest import, through the charging efficiency and
 * wear), with the true day after (the period's last day where the data ends with it). The replay's cost counts each battery's change of
 * stored energy so, and the bound plans it. Valued lower, at the cheapest import x the discharge efficiency, a replay
 * rewarded emptying the batteries before its end: the bound sold 85 kWh at the peak price that a planner which goes on
 * the next day keeps (January 2019, issue 27 §2).
 */
export function endOfPeriodValue(
  site: Site,
  profiles: ProfileTable | MeasuredHistory,
  options: { start: Date; days: number; stepMinutes: number; tempoColours?: ReadonlyMap<string, TempoColour> },
): Record<string, StoredEnergySegment[]> {
  const endMs = options.start.getTime() + options.days * DAY_MS;
  // The day after, as it comes (the year's profiles always hold it); a measured history that ends with the period,
  // its last day instead.
  const covered = !('endMs' in profiles) || profiles.endMs >= endMs + DAY_MS;
  const day = new Date(covered ? endMs : endMs - DAY_MS);
  const { slotStarts, powerW, socPct } = trueSeries(site, profiles, { ...options, start: day, days: 1 });
  const input = planInputFromForecasts(
    site,
    { slotStarts, slotMinutes: options.stepMinutes, powerW },
    { socPct, ...(options.tempoColours ? { tempo: options.tempoColours } : {}) },
  );
  return Object.fromEntries(input.batteries.map((battery) => [battery.id, storedEnergySegments(input, battery)]));
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
