import type { LoadLimit } from '@ilot/protocol';
import { firstSlotValidUntil, windowReason } from './battery-commands';
import type { PlanFlexibleLoad } from './plan-input';
import { Schedule } from './schedule';

/** A load limit as the plan makes it: the wire's `load.limit` (libs/protocol), the load drawing at most `maxW` until `validUntil`. */
export type LoadLimitCommand = LoadLimit;

/** Below this, a planned shed is noise of the solver, not an instruction. */
export const MIN_SHED_W = 50;

/**
 * The load limits of a plan: for each sheddable load the first slot sheds, a cap at its baseline less
 * the power shed, valid to the end of the slot plus a grace period. A load the plan does not shed gets
 * none: its controller runs it freely once its last limit expires. Pure: time and ids are given.
 */
export function loadCommands(
  schedule: Schedule,
  loads: readonly PlanFlexibleLoad[],
  options: { now: Date; graceMs: number; newId: () => string },
): Array<{ deviceId: string; command: LoadLimitCommand }> {
  const slot = schedule.slots[0];
  if (!slot) return [];
  const validUntil = firstSlotValidUntil(schedule, options.graceMs);
  const reason = windowReason(schedule) ?? 'tariff';
  return loads.flatMap((load) => {
    const shedW = slot.devices[load.id]?.setpointW ?? 0;
    if (shedW < MIN_SHED_W) return [];
    return [
      {
        deviceId: load.id,
        command: {
          cmdId: options.newId(),
          type: 'load.limit' as const,
          issuedAt: options.now.toISOString(),
          validFrom: options.now.toISOString(),
          validUntil,
          maxW: Math.max(Math.round(load.baselineW[0] - shedW), 0),
          reason,
        },
      },
    ];
  });
}
