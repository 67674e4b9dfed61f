import type { CommandPayload } from '@ilot/protocol';
import { batteryCommands, BatterySetpointCommand } from './battery-commands';
import { verificationToleranceW } from './command-verification';
import { evCommands, type EvLimitCommand, loadCommands, type LoadLimitCommand } from './load-commands';
import type { PlanInput } from './plan-input';
import type { Schedule } from './schedule';

/** A load or charging limit moving by less than this is not worth a new command, W. */
export const LOAD_LIMIT_TOLERANCE_W = 200;

export type OutgoingCommand = { deviceId: string; command: BatterySetpointCommand | LoadLimitCommand | EvLimitCommand };

export interface CommandPolicyOptions {
  now: Date;
  /** A command stays valid this long past the end of the plan's first slot, ms. */
  graceMs: number;
  importLimitW: number;
  newId: () => string;
}

/**
 * The one command policy, shared by the live loop (apps/optimiser) and the closed-loop replay (`ilot simulate`): the
 * commands a plan makes for its first slot (battery setpoints, load limits, EV charging limits) that must go out now, given the command
 * each device has. A device keeps its command while the plan holds; a new one goes out when there is none, when its
 * level moves by more than the tolerance (a battery's verification tolerance; 200 W for a load limit), or when the
 * current one has less than a third of its validity left (renewal). Pure: time, ids and the current commands are given.
 */
export function commandsToSend(
  schedule: Schedule,
  input: Pick<PlanInput, 'batteries' | 'flexibleLoads' | 'evs'>,
  current: (deviceId: string) => CommandPayload | undefined,
  options: CommandPolicyOptions,
): OutgoingCommand[] {
  const capacityWh = new Map(input.batteries.map((b) => [b.id, b.capacityWh]));
  const batteries = batteryCommands(schedule, [...capacityWh.keys()], {
    ...options,
    capacityWh: (id) => capacityWh.get(id)!,
  }).filter(({ deviceId, command }) =>
    needsNewCommand(
      current(deviceId),
      command,
      options.now,
      verificationToleranceW(input.batteries.find((b) => b.id === deviceId)!),
    ),
  );
  const limits = [
    ...loadCommands(schedule, input.flexibleLoads ?? [], options),
    ...evCommands(schedule, input.evs ?? [], options),
  ].filter(({ deviceId, command }) => needsNewCommand(current(deviceId), command, options.now, LOAD_LIMIT_TOLERANCE_W));
  return [...batteries, ...limits];
}

/**
 * Whether a device needs `next` or can keep `current`: a new command when there is none or of another type, when a
 * level moves by more than `toleranceW` (a battery's setpoint or planned grid power, a limit's maxW), or when the
 * current one has less than a third of its validity left. Pure: `now` is given.
 */
export function needsNewCommand(
  current: CommandPayload | undefined,
  next: OutgoingCommand['command'],
  now: Date,
  toleranceW: number,
): boolean {
  if (!current || current.type !== next.type) return true;
  const [was, will] = [levelsW(current), levelsW(next)];
  if (will.some((levelW, i) => Math.abs(levelW - was[i]) > toleranceW)) return true;
  const ttlMs = Date.parse(current.validUntil) - Date.parse(current.validFrom);
  return Date.parse(current.validUntil) - now.getTime() < ttlMs / 3;
}

/** The levels a command sets, W: what a change of plan is measured on. */
function levelsW(command: CommandPayload): number[] {
  switch (command.type) {
    case 'battery.setpoint':
      return [command.setpointW, command.gridTargetW ?? 0];
    case 'load.limit':
    case 'ev.limit':
    case 'pv.curtail':
      return [command.maxW];
  }
}
