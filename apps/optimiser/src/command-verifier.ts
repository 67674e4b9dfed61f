import { batteryFollowsCommand, loadFollowsLimit } from '@ilot/optimiser';
import type { CommandPayload } from '@ilot/protocol';
import { type DeviceSpec, gridDeviceId, type Site } from '@ilot/site';
import type { ReadingRepository } from '@ilot/timeseries';
import type { Verdict } from './command-dispatcher';

/** How far before a battery's reading the grid's may be to judge it with, ms (a meter read every 10-15 s). */
export const PAIR_WITHIN_MS = 15_000;

/**
 * Judges a battery command by the first consistent readings after its ack: the battery's and the
 * grid's at the same instant (or the grid's last within PAIR_WITHIN_MS before), both within the command's validity; a load or charging limit by the
 * device's latest reading in that time. Undefined while there are none.
 */
export function commandVerifier(site: Site, readings: ReadingRepository) {
  const gridId = gridDeviceId(site);
  return async (deviceId: string, command: CommandPayload, since: Date): Promise<Verdict | undefined> => {
    const device = site.devices.get(deviceId);
    const ratedW = limitedRatingW(device, command);
    if (ratedW !== undefined && (command.type === 'load.limit' || command.type === 'ev.limit')) {
      const [measured] = await readings.latestPerDevice(site.id, [deviceId], since, new Date(command.validUntil));
      return measured && loadFollowsLimit(command.maxW, measured.powerW, ratedW);
    }
    if (device?.kind !== 'battery' || command.type !== 'battery.setpoint') return undefined;
    const rows = await readings.latestPerDevice(site.id, [deviceId, gridId], since, new Date(command.validUntil));
    const measured = rows.find((r) => r.deviceId === deviceId);
    let grid = rows.find((r) => r.deviceId === gridId);
    if (!measured || !grid || measured.socPct === null) return undefined;
    // A battery and a grid meter read by different controllers (a building gateway polling its inverter, the
    // distributor's meter on its own pace) never share an instant: the grid's reading at or before the battery's, within
    // PAIR_WITHIN_MS, stands for it.
    if (Math.abs(measured.ts.getTime() - grid.ts.getTime()) > 1000) {
      const [before] = await readings.latestPerDevice(
        site.id,
        [gridId],
        new Date(Math.max(measured.ts.getTime() - PAIR_WITHIN_MS, since.getTime())),
        new Date(measured.ts.getTime() + 1),
      );
      if (!before) return undefined;
      grid = before;
    }
    return batteryFollowsCommand(
      command,
      { batteryW: measured.powerW, gridW: grid.powerW, socPct: measured.socPct },
      device,
    );
  };
}

/** The rating of a device under a limit it takes (a sheddable load's `load.limit`, a charger's `ev.limit`), W. */
function limitedRatingW(device: DeviceSpec | undefined, command: CommandPayload): number | undefined {
  if ((device?.kind === 'heat_pump' || device?.kind === 'flexible_load') && command.type === 'load.limit')
    return device.ratedW ?? device.maxShedW;
  if (device?.kind === 'ev_charger' && command.type === 'ev.limit') return device.maxW;
  return undefined;
}
