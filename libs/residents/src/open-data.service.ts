import { openDataRows, type OpenDataHour, type OpenDataRow } from '@ilot/reports';
import { devicesOfKind, gridDeviceId, type Site } from '@ilot/site';
import type { ReadingRepository } from '@ilot/timeseries';

const HOUR_MS = 3_600_000;
/** The longest range one export covers. */
export const OPEN_DATA_MAX_DAYS = 366;

/** Why a range cannot be exported (the API's 400, the CLI's usage error), or undefined. */
export function openDataRangeProblem(from: Date, to: Date): string | undefined {
  if (from >= to) return '"from" must be before "to"';
  if (to.getTime() - from.getTime() > OPEN_DATA_MAX_DAYS * 86_400_000)
    return `at most ${OPEN_DATA_MAX_DAYS} days at once`;
  return undefined;
}

/**
 * The îlot's open data for whole UTC hours from `from` to `to` (libs/reports `openDataRows`): the hourly means of its
 * PV arrays and grid connection, and of its meters summed with how many reported. The API and `ilot open-data` both.
 */
export async function openDataOf(
  site: Site,
  readings: ReadingRepository,
  from: Date,
  to: Date,
): Promise<OpenDataRow[]> {
  const grid = gridDeviceId(site);
  const pv = new Set(devicesOfKind(site, 'pv').map((d) => d.id));
  const meters = new Set(devicesOfKind(site, 'meter').map((d) => d.id));
  const start = new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS);
  const rows = await readings.bucketedByDevice(site.id, [grid, ...pv, ...meters], start, to, 60);
  const hours = new Map<number, OpenDataHour>();
  for (const row of rows) {
    const key = row.bucket.getTime();
    const hour = hours.get(key) ?? { hour: row.bucket, pvW: null, gridW: null, consumptionW: null, metersReporting: 0 };
    if (row.deviceId === grid) hour.gridW = row.powerW;
    else if (pv.has(row.deviceId)) hour.pvW = (hour.pvW ?? 0) + row.powerW;
    else if (meters.has(row.deviceId)) {
      hour.consumptionW = (hour.consumptionW ?? 0) + row.powerW;
      hour.metersReporting++;
    }
    hours.set(key, hour);
  }
  return openDataRows([...hours.values()]);
}
