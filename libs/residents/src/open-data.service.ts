import { HOUR_MS } from '@ilot/domain';
import { openDataRows, type OpenDataHour, type OpenDataRow } from '@ilot/reports';
import { devicesOfKind, gridDeviceId, type Site } from '@ilot/site';
import type { OpenDataHourRepository, ReadingRepository, SignalRepository } from '@ilot/timeseries';
import type { EffacementReportService } from './effacement-report.service';

/** The longest range one export covers. */
export const OPEN_DATA_MAX_DAYS = 366;

/**
 * The reduction the îlot delivered in each slot of its effacement orders overlapping [from, to), Wh: each order's
 * report (its reference against the measured import), slot by slot.
 */
export async function deliveredEffacement(
  siteId: string,
  signals: SignalRepository,
  effacements: EffacementReportService,
  from: Date,
  to: Date,
): Promise<Array<{ at: Date; wh: number }>> {
  const orders = (await signals.overlapping(siteId, from, to)).filter((s) => s.payload.type === 'effacement');
  const slots: Array<{ at: Date; wh: number }> = [];
  for (const order of orders) {
    const report = await effacements.report(order.key);
    const delivered = report?.delivered.slots ?? [];
    // The reports' slots are evenly spaced: their width from two of them, else the settlement step.
    const minutes = delivered.length > 1 ? (Date.parse(delivered[1].at) - Date.parse(delivered[0].at)) / 60_000 : 15;
    for (const slot of delivered)
      if (Date.parse(slot.at) >= from.getTime() && Date.parse(slot.at) < to.getTime())
        slots.push({ at: new Date(slot.at), wh: (slot.reductionW * minutes) / 60 });
  }
  return slots;
}

/** Why a range cannot be exported (the API's 400, the CLI's usage error), or undefined. */
export function openDataRangeProblem(from: Date, to: Date): string | undefined {
  if (from >= to) return '"from" must be before "to"';
  if (to.getTime() - from.getTime() > OPEN_DATA_MAX_DAYS * 86_400_000)
    return `at most ${OPEN_DATA_MAX_DAYS} days at once`;
  return undefined;
}

/** An hour is published for good once it ended this long ago (readings arriving late have come in by then), ms. */
export const OPEN_DATA_SETTLE_MS = HOUR_MS;

/**
 * The îlot's open data for whole UTC hours from `from` to `to` (libs/reports `openDataRows`): the hourly means of its
 * PV arrays and grid connection, and of its meters summed with how many reported. The API and `ilot open-data` both.
 * With `published`, what was published for a past hour stays as published (issue 26): each hour ended at least
 * OPEN_DATA_SETTLE_MS before `now` is kept the first time it is given, and given as kept from then on, whatever
 * changes in the site (a home leaving) or in the readings.
 */
export async function openDataOf(
  site: Site,
  readings: ReadingRepository,
  from: Date,
  to: Date,
  /** The effacement delivered in each slot of the orders of the range (deliveredEffacement). */
  effacement: ReadonlyArray<{ at: Date; wh: number }> = [],
  published?: { repository: OpenDataHourRepository; now: Date },
): Promise<OpenDataRow[]> {
  const rows = await computedOpenData(site, readings, from, to, effacement);
  if (!published) return rows;
  const start = new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS);
  const settled = rows.filter((r) => Date.parse(r.hour) + HOUR_MS + OPEN_DATA_SETTLE_MS <= published.now.getTime());
  await published.repository.publish(
    site.id,
    settled.map((row) => ({ hour: new Date(row.hour), row })),
    published.now,
  );
  const kept = await published.repository.published<OpenDataRow>(site.id, start, to);
  const byHour = new Map(rows.map((row) => [Date.parse(row.hour), row]));
  for (const [hour, row] of kept) byHour.set(hour, row);
  return [...byHour.entries()].sort(([a], [b]) => a - b).map(([, row]) => row);
}

async function computedOpenData(
  site: Site,
  readings: ReadingRepository,
  from: Date,
  to: Date,
  effacement: ReadonlyArray<{ at: Date; wh: number }>,
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
  for (const slot of effacement) {
    const hour = hours.get(Math.floor(slot.at.getTime() / HOUR_MS) * HOUR_MS);
    if (hour) hour.effacementWh = (hour.effacementWh ?? 0) + slot.wh;
  }
  return openDataRows([...hours.values()], new Set(site.participants.map((p) => p.meter)).size);
}
