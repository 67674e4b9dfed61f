import { effacementOrderOf } from '@ilot/protocol';
import type { PlanSignals } from '@ilot/optimiser';
import type { TempoColour } from '@ilot/tariffs';
import type { StoredSignal } from '@ilot/timeseries';

/** The stored signals (ingestion validated and stored them) as the planner takes them. */
export function planSignals(stored: readonly StoredSignal[]): PlanSignals {
  const tempo = new Map<string, TempoColour>();
  const signals: PlanSignals = { effacements: [], ecowatt: [], tempo };
  for (const { payload, startsAt, endsAt } of stored) {
    if (payload.type === 'effacement') signals.effacements.push(effacementOrderOf(payload));
    if (payload.type === 'ecowatt') signals.ecowatt.push({ level: payload.level, start: startsAt, end: endsAt });
    if (payload.type === 'tempo') tempo.set(payload.date, payload.color);
  }
  return signals;
}
