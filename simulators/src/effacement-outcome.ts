import type { EffacementOrder } from '@ilot/domain';
import { deliveredReduction, referenceCurve, type ReferenceOptions } from '@ilot/effacement';
import type { PowerSample } from '@ilot/forecasting';
import type { Site } from '@ilot/site';
import type { EffacementOutcome } from './replay-types';

/**
 * An order's outcome, as the API's report makes it: the reference from the history of the îlot's import net of its
 * storage (what the batteries do before an event cannot move it), the planned and the measured grid power against it.
 */
export function effacementOutcome(
  order: EffacementOrder,
  netHistory: readonly PowerSample[],
  gridHistory: readonly PowerSample[],
  plannedGridW: ReadonlyMap<number, number>,
  shortSlots: ReadonlySet<string>,
  shedWh: ReadonlyMap<string, number> | undefined,
  site: Site,
  options: ReferenceOptions,
): EffacementOutcome & { startMs: number; endMs: number } {
  const reference = referenceCurve(netHistory, order, options);
  const delivered = deliveredReduction(reference, gridHistory, options.slotMinutes);
  const planned = deliveredReduction(
    reference,
    [...plannedGridW].map(([ms, powerW]) => ({ at: new Date(ms), powerW })),
    options.slotMinutes,
  );
  const hours = (order.end.getTime() - order.start.getTime()) / 3_600_000;
  const loads = [...(shedWh ?? new Map<string, number>())].map(([id, wh]) => {
    const device = site.devices.get(id)!;
    const maxShedW = device.kind === 'heat_pump' || device.kind === 'flexible_load' ? device.maxShedW : 0;
    return { id, shedW: wh / hours, shareOfMaxShed: maxShedW ? wh / hours / maxShedW : 0 };
  });
  return {
    id: order.id,
    askedW: order.reductionW,
    plannedW: planned.meanReductionW,
    deliveredW: delivered.meanReductionW,
    shortSlots: [...shortSlots].filter(
      (s) => Date.parse(s) >= order.start.getTime() && Date.parse(s) < order.end.getTime(),
    ).length,
    loads,
    startMs: order.start.getTime(),
    endMs: order.end.getTime(),
  };
}
