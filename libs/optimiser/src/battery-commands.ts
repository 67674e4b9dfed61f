import type { BatterySetpoint } from '@ilot/protocol';
import { ECOWATT_WINDOW_PREFIX } from './plan-input';
import { Schedule } from './schedule';

/**
 * A battery command as the plan makes it: the wire's `battery.setpoint` (libs/protocol), always with the contracted
 * power as its ceiling, and with the planned grid power to track when the plan has the battery working (see
 * `tracksDeviation`).
 */
export type BatterySetpointCommand = BatterySetpoint & Required<Pick<BatterySetpoint, 'deviationShare' | 'gridLimitW'>>;

/**
 * Whether the batteries should absorb the deviation from the planned grid power in the plan's first slot: when the plan
 * has them working (charging or discharging: a surplus above the forecast is then stored, a consumption above it
 * served), and in a demand-response window (the cap is held). Not when the plan holds them idle: absorbing the
 * forecast's errors then drifts the charge the plan keeps (for the contract, or because spending it saves less than
 * refilling it costs), charging from the grid at any price or discharging for less than the energy is worth; the
 * contracted-power ceiling (`gridLimitW`) still holds.
 */
export function tracksDeviation(schedule: Schedule, batteryIds: readonly string[]): boolean {
  const slot = schedule.slots[0];
  return windowOf(schedule) !== undefined || batteryIds.some((id) => Math.abs(slot.devices[id]?.setpointW ?? 0) >= 1);
}

/** The demand-response window the plan's first slot lies in, as a command reason: `effacement:{id}` for an order, `ecowatt` for an alert. */
export function windowReason(schedule: Schedule): string | undefined {
  const window = windowOf(schedule);
  if (!window) return undefined;
  return window.id.startsWith(ECOWATT_WINDOW_PREFIX) ? 'ecowatt' : `effacement:${window.id}`;
}

/**
 * The grid power the plan commits to in its first slot, W: in a demand-response window, the window's import cap (the
 * plan keeps a reserve below it), or the plan's own grid power where it expects to stay above the cap.
 */
export function committedGridW(schedule: Schedule): number {
  return Math.max(schedule.slots[0].gridW, windowOf(schedule)?.importCapW ?? -Infinity);
}

/** When a command for the plan's first slot lapses: the end of that slot plus the grace period (ISO 8601). */
export function firstSlotValidUntil(schedule: Schedule, graceMs: number): string {
  return new Date(Date.parse(schedule.slots[0].start) + schedule.slotMinutes * 60_000 + graceMs).toISOString();
}

function windowOf(schedule: Schedule) {
  const startMs = Date.parse(schedule.slots[0].start);
  return schedule.effacements?.find((w) => Date.parse(w.start) <= startMs && startMs < Date.parse(w.end));
}

/** Why a battery setpoint is what it is, from the first slot of the plan. */
export function setpointReason(schedule: Schedule, setpointW: number, importLimitW: number): string {
  const slot = schedule.slots[0];
  const netW = slot.consumptionW - slot.pvW;
  const demandResponse = windowReason(schedule);
  if (demandResponse) return demandResponse;
  if (slot.gridW >= importLimitW - 1 || schedule.violations.some((v) => v.slotStart === slot.start)) return 'peak';
  if (Math.abs(setpointW) < 1) return 'idle';
  if (setpointW < 0) return netW < 0 ? 'self-consumption' : 'tariff';
  return 'self-consumption';
}

/**
 * The battery commands of a plan: the first slot's setpoint, valid from now to the end of the slot
 * plus a grace period. Pure: time and ids are given.
 */
export function batteryCommands(
  schedule: Schedule,
  batteryIds: readonly string[],
  options: {
    now: Date;
    graceMs: number;
    importLimitW: number;
    newId: () => string;
    capacityWh: (id: string) => number;
  },
): Array<{ deviceId: string; command: BatterySetpointCommand }> {
  const slot = schedule.slots[0];
  if (!slot) return [];
  const validUntil = firstSlotValidUntil(schedule, options.graceMs);
  const planned = batteryIds.filter((id) => slot.devices[id] !== undefined);
  const totalCapacityWh = planned.reduce((sum, id) => sum + options.capacityWh(id), 0);
  const tracking = tracksDeviation(schedule, planned);
  return planned.map((deviceId) => {
    const setpointW = slot.devices[deviceId].setpointW;
    return {
      deviceId,
      command: {
        cmdId: options.newId(),
        type: 'battery.setpoint',
        issuedAt: options.now.toISOString(),
        validFrom: options.now.toISOString(),
        validUntil,
        setpointW,
        // Batteries absorb the deviation from the planned grid power in proportion to their capacity. In an effacement
        // window they hold the connection at the cap, not at the plan (which keeps a reserve below it).
        ...(tracking ? { gridTargetW: committedGridW(schedule) } : {}),
        deviationShare: Math.round((options.capacityWh(deviceId) / totalCapacityWh) * 1e6) / 1e6,
        // A hard ceiling at the contracted power: the controller holds it in real time, whatever the forecast said.
        gridLimitW: options.importLimitW,
        reason: setpointReason(schedule, setpointW, options.importLimitW),
      },
    };
  });
}
