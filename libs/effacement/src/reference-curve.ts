import { SIGNAL_MAX_SPAN_MS } from '@ilot/domain';
import type { PowerSample } from '@ilot/forecasting';
import { localDateTime, localDayKind } from '@ilot/domain';

export interface ReferenceOptions {
  timeZone: string;
  slotMinutes: number;
  /** How many earlier days of the same kind (weekday or weekend) the reference averages. */
  days: number;
  /** Local dates (YYYY-MM-DD) of other events: never part of a reference. */
  eventDays: ReadonlySet<string>;
  /** Minutes before the event over which the reference is adjusted to the day's level. */
  adjustmentMinutes: number;
}

export const REFERENCE_DEFAULTS = { days: 10, adjustmentMinutes: 60 } as const;

/**
 * The courbe de référence of an effacement event: what the consumption would have been without
 * it. Per event slot, the mean of the same local time of day over the last `days` days of the same
 * kind before the event day (other event days left out), shifted by the day's deviation over the
 * `adjustmentMinutes` before the event (measured minus the same averaged reference), never below 0.
 * `history` holds slot means (W) of the consumption concerned, event day included. An event is never walked past
 * SIGNAL_MAX_SPAN_MS after its start, whatever was stored: the work stays bounded. Pure.
 */
export function referenceCurve(
  history: readonly PowerSample[],
  event: { start: Date; end: Date },
  options: ReferenceOptions,
): PowerSample[] {
  const slotMs = options.slotMinutes * 60_000;
  const zone = options.timeZone;
  const eventDay = localDateTime(event.start, zone).date;
  const kind = localDayKind(event.start, zone);
  // Candidate days: earlier local dates of the same kind, not event days, the most recent `days` of them.
  const byDay = new Map<string, Map<number, number>>();
  for (const sample of history) {
    const local = localDateTime(sample.at, zone);
    if (local.date >= eventDay || options.eventDays.has(local.date) || localDayKind(sample.at, zone) !== kind) continue;
    const day = byDay.get(local.date) ?? new Map<number, number>();
    day.set(local.minuteOfDay, sample.powerW);
    byDay.set(local.date, day);
  }
  const days = [...byDay.keys()]
    .sort()
    .slice(-options.days)
    .map((d) => byDay.get(d)!);
  const averageAt = (at: Date): number | undefined => {
    const minute = localDateTime(at, zone).minuteOfDay;
    const values = days.map((d) => d.get(minute)).filter((v): v is number => v !== undefined);
    return values.length ? values.reduce((a, b) => a + b, 0) / values.length : undefined;
  };
  // Adjustment to the day's level: the hour before the event, measured against the averaged days.
  const measured = new Map(history.map((s) => [s.at.getTime(), s.powerW]));
  const deviations: number[] = [];
  for (let t = event.start.getTime() - options.adjustmentMinutes * 60_000; t < event.start.getTime(); t += slotMs) {
    const average = averageAt(new Date(t));
    const actual = measured.get(t);
    if (average !== undefined && actual !== undefined) deviations.push(actual - average);
  }
  const offsetW = deviations.length ? deviations.reduce((a, b) => a + b, 0) / deviations.length : 0;
  const curve: PowerSample[] = [];
  const endMs = Math.min(event.end.getTime(), event.start.getTime() + SIGNAL_MAX_SPAN_MS);
  for (let t = event.start.getTime(); t < endMs; t += slotMs) {
    const average = averageAt(new Date(t));
    if (average !== undefined) curve.push({ at: new Date(t), powerW: Math.max(average + offsetW, 0) });
  }
  return curve;
}

/** The mean of the reference over the event, W: what a planner aims the reduction from. Undefined without a reference. */
export function referenceMeanW(
  history: readonly PowerSample[],
  event: { start: Date; end: Date },
  options: ReferenceOptions,
): number | undefined {
  const curve = referenceCurve(history, event, options);
  return curve.length ? curve.reduce((sum, s) => sum + s.powerW, 0) / curve.length : undefined;
}

/** What an event delivered: per slot the reference minus the measured consumption, and its mean and energy. */
export function deliveredReduction(
  reference: readonly PowerSample[],
  measured: readonly PowerSample[],
  slotMinutes: number,
): {
  slots: Array<{ at: Date; referenceW: number; measuredW: number; reductionW: number }>;
  meanReductionW: number;
  energyWh: number;
} {
  const actual = new Map(measured.map((s) => [s.at.getTime(), s.powerW]));
  const slots = reference.flatMap((r) => {
    const measuredW = actual.get(r.at.getTime());
    return measuredW === undefined
      ? []
      : [{ at: r.at, referenceW: r.powerW, measuredW, reductionW: r.powerW - measuredW }];
  });
  const total = slots.reduce((sum, s) => sum + s.reductionW, 0);
  return { slots, meanReductionW: slots.length ? total / slots.length : 0, energyWh: (total * slotMinutes) / 60 };
}
