import { CommandPayload } from '@ilot/mqtt';
import { Schedule } from '@ilot/optimiser';

/** Why a battery setpoint is what it is, from the first slot of the plan. */
export function setpointReason(schedule: Schedule, setpointW: number, importLimitW: number): string {
  const slot = schedule.slots[0];
  const netW = slot.consumptionW - slot.pvW;
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
  options: { now: Date; graceMs: number; importLimitW: number; newId: () => string },
): Array<{ deviceId: string; command: CommandPayload }> {
  const slot = schedule.slots[0];
  if (!slot) return [];
  const slotEndMs = Date.parse(slot.start) + schedule.slotMinutes * 60_000;
  const validUntil = new Date(slotEndMs + options.graceMs).toISOString();
  return batteryIds
    .filter((id) => slot.devices[id] !== undefined)
    .map((deviceId) => {
      const setpointW = slot.devices[deviceId].setpointW;
      return {
        deviceId,
        command: {
          cmdId: options.newId(),
          type: 'battery.setpoint' as const,
          issuedAt: options.now.toISOString(),
          validFrom: options.now.toISOString(),
          validUntil,
          setpointW,
          reason: setpointReason(schedule, setpointW, options.importLimitW),
        },
      };
    });
}
