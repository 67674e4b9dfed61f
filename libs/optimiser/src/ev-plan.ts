import type { EvSession } from '@ilot/domain';
import type { PowerSample } from '@ilot/forecasting';
import { devicesOfKind, type Site } from '@ilot/site';
import { loadForecastW } from './load-forecast';
import type { PlanEv } from './plan-input';

/** What the planner knows of the chargers: their latest fresh reading, session and history. */
export interface EvObservations {
  latest: ReadonlyMap<string, { powerW: number }>;
  /** Each charger's session in force, fresh (a stale one is left out upstream). */
  evSessions?: ReadonlyMap<string, EvSession>;
  /** Slot means of each charger's power over the past days (its uncontrolled habit). */
  flexibleHistory?: ReadonlyMap<string, PowerSample[]>;
}

/**
 * The EVs the plan decides: each charger with a fresh reading and a plugged session that still wants energy, the car
 * staying past the end of the horizon's first slot, at the lower of its and the car's power (one leaving sooner is
 * left to its charger, which charges it as asked). A charger without a session
 * (one that reports none, or a stale one) is not planned: its power stays in the consumption forecast.
 */
export function plannedEvs(site: Site, observations: EvObservations, firstSlotEnd: Date): PlanEv[] {
  return devicesOfKind(site, 'ev_charger').flatMap((charger) => {
    const session = observations.evSessions?.get(charger.id);
    if (!observations.latest.has(charger.id) || !session?.plugged) return [];
    const { energyNeededWh, departure } = session;
    if (energyNeededWh === undefined || energyNeededWh <= 0 || !departure || departure <= firstSlotEnd) return [];
    return [{ id: charger.id, maxW: Math.min(charger.maxW, session.maxW ?? charger.maxW), energyNeededWh, departure }];
  });
}

/**
 * The consumption forecast without what the planned EVs would have drawn on their own until they leave: the plan
 * decides their charging instead (their habit, forecast the consumption's way from their own history and latest
 * reading, is part of the îlot's; it is linear, so the parts subtract). After a departure the charger's habit stays:
 * the next car is not known yet.
 */
export function consumptionWithoutPlannedEvs(
  site: Site,
  observations: EvObservations,
  evs: readonly PlanEv[],
  now: Date,
  slotStarts: readonly Date[],
  consumptionW: readonly number[],
): number[] {
  const adjusted = [...consumptionW];
  for (const ev of evs) {
    const history = observations.flexibleHistory?.get(ev.id) ?? [];
    const habitW = loadForecastW(site, now, slotStarts, history, observations.latest.get(ev.id)!.powerW);
    slotStarts.forEach((start, t) => {
      if (start < ev.departure) adjusted[t] = Math.max(adjusted[t] - habitW[t], 0);
    });
  }
  return adjusted;
}
