import type { EffacementOrder } from '@ilot/domain';
import type { PowerSample } from '@ilot/forecasting';
import { deliveredReduction, referenceCurve, ReferenceOptions } from './reference-curve';

/** The inputs of an event report: slot means (W) from before the reference days to the end of the event. */
export interface EventReportInput {
  event: EffacementOrder;
  /** The îlot's import at its connection (grid power, > 0 import): what is measured. */
  gridW: readonly PowerSample[];
  /** What the îlot's reference is made from, when not `gridW`: its import net of storage (grid + batteries). */
  referenceBasisW?: readonly PowerSample[];
  /** The grid power the plan in force at the start of the event committed to (its cap, or above when short), per slot of the event. */
  plannedGridW: readonly PowerSample[];
  participants: ReadonlyArray<{ participantId: string; meterId: string; consumptionW: readonly PowerSample[] }>;
  /** The sheddable loads (heat pumps, water heaters): each one's power, and the flexibility it declared. */
  loads?: ReadonlyArray<{ deviceId: string; maxShedW: number; powerW: readonly PowerSample[] }>;
}

export interface EventReport {
  event: { id: string; start: string; end: string };
  askedW: number;
  planned: { meanReductionW: number | null };
  delivered: {
    meanReductionW: number | null;
    energyWh: number;
    slots: Array<{ at: string; referenceW: number; measuredW: number; reductionW: number }>;
  };
  /** Delivered at least 90 % of what was asked (within 10 %). */
  deliveredAsAsked: boolean;
  participants: Array<{
    participantId: string;
    meterId: string;
    referenceWh: number;
    measuredWh: number;
    deliveredWh: number;
  }>;
  /** What each sheddable load gave: its mean reduction against its own reference, and that as a share of its declared flexibility. */
  loads: Array<{ deviceId: string; maxShedW: number; meanReductionW: number | null; shareOfMaxShed: number | null }>;
  /** Why a figure is missing or partial, in words. */
  notes: string[];
}

/**
 * The report of one effacement event: asked, planned (reference minus the plan's grid power) and
 * delivered (reference minus the measured grid power) for the îlot, and per participant (their
 * meter against their own reference). Pure: all series are given.
 */
export function eventReport(input: EventReportInput, options: ReferenceOptions): EventReport {
  const { event } = input;
  const notes: string[] = [];
  const hours = options.slotMinutes / 60;
  const reference = referenceCurve(input.referenceBasisW ?? input.gridW, event, options);
  if (reference.length === 0)
    notes.push(`no reference: no history of the same kind of day in the ${options.days} days before the event`);
  const delivered = deliveredReduction(reference, input.gridW, options.slotMinutes);
  const expectedSlots = Math.round((event.end.getTime() - event.start.getTime()) / (options.slotMinutes * 60_000));
  if (reference.length > 0 && delivered.slots.length < expectedSlots)
    notes.push(`measured ${delivered.slots.length} of the event's ${expectedSlots} slots so far`);
  const planned = deliveredReduction(reference, input.plannedGridW, options.slotMinutes);
  if (reference.length > 0 && planned.slots.length === 0) notes.push('no plan covered the event');
  else if (planned.slots.length > 0 && planned.meanReductionW < 0.9 * event.reductionW)
    notes.push(
      `not fully deliverable: the plan committed to ${Math.round(planned.meanReductionW)} W of the ${event.reductionW} W asked`,
    );
  const participants = input.participants.map((p) => {
    const result = deliveredReduction(
      referenceCurve(p.consumptionW, event, options),
      p.consumptionW,
      options.slotMinutes,
    );
    const referenceWh = result.slots.reduce((sum, s) => sum + s.referenceW * hours, 0);
    const measuredWh = result.slots.reduce((sum, s) => sum + s.measuredW * hours, 0);
    return {
      participantId: p.participantId,
      meterId: p.meterId,
      referenceWh,
      measuredWh,
      deliveredWh: referenceWh - measuredWh,
    };
  });
  const loads = (input.loads ?? []).map((load) => {
    const result = deliveredReduction(referenceCurve(load.powerW, event, options), load.powerW, options.slotMinutes);
    const meanReductionW = result.slots.length ? result.meanReductionW : null;
    return {
      deviceId: load.deviceId,
      maxShedW: load.maxShedW,
      meanReductionW,
      shareOfMaxShed: meanReductionW === null || !load.maxShedW ? null : meanReductionW / load.maxShedW,
    };
  });
  return {
    event: { id: event.id, start: event.start.toISOString(), end: event.end.toISOString() },
    askedW: event.reductionW,
    planned: { meanReductionW: planned.slots.length ? planned.meanReductionW : null },
    delivered: {
      meanReductionW: delivered.slots.length ? delivered.meanReductionW : null,
      energyWh: delivered.energyWh,
      slots: delivered.slots.map((s) => ({ ...s, at: s.at.toISOString() })),
    },
    deliveredAsAsked: delivered.slots.length === expectedSlots && delivered.meanReductionW >= 0.9 * event.reductionW,
    participants,
    loads,
    notes,
  };
}

/** The per-participant part of a report as CSV (header, then one row per participant; Wh). */
export function eventReportCsv(report: EventReport): string {
  const rows = report.participants.map((p) =>
    [p.participantId, p.meterId, p.referenceWh.toFixed(0), p.measuredWh.toFixed(0), p.deliveredWh.toFixed(0)].join(','),
  );
  return ['participantId,meterId,referenceWh,measuredWh,deliveredWh', ...rows].join('\n') + '\n';
}

/**
 * What an event in progress delivers now: the reference of the latest measured slot of the event
 * minus that measurement (W); undefined before the first measured slot or without a reference.
 */
export function deliveredNowW(
  reference: readonly PowerSample[],
  measured: readonly PowerSample[],
  event: { start: Date; end: Date },
): number | undefined {
  const inEvent = measured
    .filter((s) => s.at >= event.start && s.at < event.end)
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  for (let i = inEvent.length - 1; i >= 0; i--) {
    const ref = reference.find((r) => r.at.getTime() === inEvent[i].at.getTime());
    if (ref) return ref.powerW - inEvent[i].powerW;
  }
  return undefined;
}
