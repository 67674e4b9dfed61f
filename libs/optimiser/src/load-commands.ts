import type { EvLimit, LoadLimit } from '@ilot/protocol';
import { firstSlotValidUntil, windowReason } from './battery-commands';
import type { PlanEv, PlanFlexibleLoad } from './plan-input';
import { Schedule } from './schedule';

/** A load limit as the plan makes it: the wire's `load.limit` (libs/protocol), the load drawing at most `maxW` until `validUntil`. */
export type LoadLimitCommand = LoadLimit;
/** An EV's charging limit as the plan makes it: the wire's `ev.limit`, at most `maxW` until `validUntil`. */
export type EvLimitCommand = EvLimit;

/** Below this, a planned shed is noise of the solver, not an instruction. */
export const MIN_SHED_W = 50;

interface LimitOptions {
  now: Date;
  graceMs: number;
  newId: () => string;
}

/**
 * The load limits of a plan: for each sheddable load the first slot sheds, a cap at its baseline less
 * the power shed, valid to the end of the slot plus a grace period. A load that owes energy (`owedWh`) the plan
 * recovers later than its controller would (at once, up to its rated power) gets a cap at its baseline plus what the
 * plan recovers now: its rebound comes when the plan has it. Any other load gets none: its controller runs it freely
 * once its last limit expires. Pure: time and ids are given.
 */
export function loadCommands(
  schedule: Schedule,
  loads: readonly PlanFlexibleLoad[],
  options: LimitOptions,
): Array<{ deviceId: string; command: LoadLimitCommand }> {
  const slot = schedule.slots[0];
  if (!slot) return [];
  return loads.flatMap((load) => {
    const planned = slot.devices[load.id];
    const shedW = planned?.setpointW ?? 0;
    if (shedW >= MIN_SHED_W) return [limitCommand('load.limit', load.id, load.baselineW[0] - shedW, schedule, options)];
    const recoverW = Math.max(planned?.recoveryW ?? 0, 0);
    const heldBackW = Math.min(load.ratedW - load.baselineW[0], (load.owedWh ?? 0) / slotHours(schedule)) - recoverW;
    if (heldBackW < MIN_SHED_W) return [];
    return [limitCommand('load.limit', load.id, load.baselineW[0] + recoverW, schedule, options)];
  });
}

/** The length of the schedule's slots, hours. */
function slotHours(schedule: Schedule): number {
  return schedule.slotMinutes / 60;
}

/**
 * The charging limits of a plan: every EV it decides gets its first slot's charging power as a ceiling, valid to the
 * end of the slot plus a grace period (then the charger charges as its driver asked). Pure: time and ids are given.
 */
export function evCommands(
  schedule: Schedule,
  evs: readonly PlanEv[],
  options: LimitOptions,
): Array<{ deviceId: string; command: EvLimitCommand }> {
  const slot = schedule.slots[0];
  if (!slot) return [];
  // A car the plan does not know (plugged since a plan kept while the solver gave none) gets no limit: its charger
  // charges it as its driver asked, never held back by a plan made without it.
  return evs.flatMap((ev) => {
    const planned = slot.devices[ev.id];
    return planned ? [limitCommand('ev.limit', ev.id, planned.setpointW, schedule, options)] : [];
  });
}

function limitCommand<T extends 'load.limit' | 'ev.limit'>(
  type: T,
  deviceId: string,
  maxW: number,
  schedule: Schedule,
  options: LimitOptions,
) {
  return {
    deviceId,
    command: {
      cmdId: options.newId(),
      type,
      issuedAt: options.now.toISOString(),
      validFrom: options.now.toISOString(),
      validUntil: firstSlotValidUntil(schedule, options.graceMs),
      maxW: Math.max(Math.round(maxW), 0),
      reason: windowReason(schedule) ?? 'tariff',
    },
  };
}
