import { batteryFollowsCommand, loadFollowsLimit } from '@ilot/optimiser';
import type { CommandPayload } from '@ilot/protocol';
import { type DeviceSpec, gridDeviceId, type Site } from '@ilot/site';
import type { ReadingRepository } from '@ilot/timeseries';
import type { Verdict } from './command-dispatcher';

/**
 * Judges a battery command by the first consistent readings after its ack: the battery's and the
 * grid's at the same instant, both within the command's validity; a load or charging limit by the
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
    const grid = rows.find((r) => r.deviceId === gridId);
    if (!measured || !grid || measured.socPct === null || Math.abs(measured.ts.getTime() - grid.ts.getTime()) > 1000)
      return undefined;
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
