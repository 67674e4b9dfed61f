import { eachWhileInFlight } from './shared-while-in-flight';
import { CONSUMING_KINDS, energyRatios, exportW, HISTORY_MS, HOUR_MS, importW, type Clock } from '@ilot/domain';
import { deviceLiveness, devicesOfKind, electricDevices, gridDeviceId, Site } from '@ilot/site';
import { contractedImportW, priceAt } from '@ilot/tariffs';
import { type LatestReading, ReadingRepository } from '@ilot/timeseries';
import { collectSafely } from '@ilot/runtime';
import { Gauge, Registry } from 'prom-client';

type SetValue = (labels: Record<string, string>, value: number) => void;

/**
 * A gauge read at scrape time that starts each scrape empty: a series is there only while `collect` sets it, so a
 * device that goes stale or offline stops exporting its last value (the bug of stale gauges).
 */
export function scrapeGauge(
  registry: Registry,
  definition: { name: string; help: string; labelNames: string[] },
  collect: (set: SetValue) => void | Promise<void>,
): Gauge {
  return new Gauge({
    ...definition,
    registers: [registry],
    async collect() {
      this.reset();
      await collectSafely({ name: definition.name, reset: () => this.reset() }, () =>
        collect((labels, value) => this.set(labels, value)),
      );
    },
  });
}

/** The sites served at this scrape (the catalog may change between two). */
export type SitesNow = () => readonly Site[];

/**
 * The îlot gauges of docs/design.md for every îlot served (labelled `site`), read from the database at scrape time:
 * the latest fresh readings for powers and SoC (a stale device's series disappears), 15-minute means over the trailing
 * window for the ratios.
 */
export function registerSiteGauges(
  registry: Registry,
  sites: SitesNow,
  readings: ReadingRepository,
  clock: Clock,
  options: { maxAgeS: number; windowH: number },
): void {
  registerReadingGauges(registry, sites, readings, clock, options.maxAgeS);
  registerRatioGauges(registry, sites, readings, clock, options.windowH);
  scrapeGauge(
    registry,
    {
      name: 'ilot_site_import_price_eur_per_kwh',
      help: 'Import price now by the site tariff, EUR per kWh, labelled with the tariff period (HP, HC; empty for a dynamic tariff); Tempo days taken as blue',
      labelNames: ['site', 'period'],
    },
    (set) => {
      for (const site of sites()) {
        const price = priceAt(clock.now(), site.tariff, site.timezone, undefined, site.priceSeries);
        set({ site: site.id, period: price.period ?? '' }, price.importEurPerKWh);
      }
    },
  );
  scrapeGauge(
    registry,
    {
      name: 'ilot_site_contracted_import_watts',
      help: 'The contracted import power now, W: the subscription of the time class in force (capacity tariff), else the connection importLimitW',
      labelNames: ['site'],
    },
    (set) => {
      for (const site of sites()) set({ site: site.id }, contractedImportW(clock.now(), site));
    },
  );
}

type LastReadings = () => Promise<Array<{ item: Site; value: { now: Date; rows: LatestReading[] } }>>;

/** Reading age, grid and PV power, battery SoC: from each device's last reading, the powers from fresh ones only. */
function registerReadingGauges(
  registry: Registry,
  sites: SitesNow,
  readings: ReadingRepository,
  clock: Clock,
  maxAgeS: number,
): void {
  // The last reading of every device over the history window; the power gauges use only the fresh ones.
  const lastReadings: LastReadings = eachWhileInFlight(sites, async (site) => {
    const now = clock.now();
    const deviceIds = electricDevices(site).map((d) => d.id);
    return { now, rows: await readings.latestPerDevice(site.id, deviceIds, new Date(now.getTime() - HISTORY_MS), now) };
  });
  // Fresh by the same rule as the planner's (per-device maxAgeS, else the default); status is not asked here.
  const fresh = async () =>
    (await lastReadings()).map(({ item: site, value: { now, rows } }) => ({
      site,
      rows: rows.filter(
        (r) => deviceLiveness(site.devices.get(r.deviceId)!, { lastReadingAt: r.ts }, now, maxAgeS).state === 'live',
      ),
    }));
  registerReadingAgeGauge(registry, lastReadings, maxAgeS);
  scrapeGauge(
    registry,
    {
      name: 'ilot_site_grid_power_watts',
      help: 'Power at the grid connection, W (> 0 import, < 0 export); absent while the grid meter is stale',
      labelNames: ['site'],
    },
    async (set) => {
      for (const { site, rows } of await fresh()) {
        const row = rows.find((r) => r.deviceId === gridDeviceId(site));
        if (row) set({ site: site.id }, row.powerW);
      }
    },
  );
  scrapeGauge(
    registry,
    {
      name: 'ilot_site_pv_power_watts',
      help: 'PV production of the îlot, W, from the fresh PV readings; absent while every PV array is stale',
      labelNames: ['site'],
    },
    async (set) => {
      for (const { site, rows } of await fresh()) {
        const pv = rows.filter((r) => site.devices.get(r.deviceId)?.kind === 'pv');
        if (pv.length)
          set(
            { site: site.id },
            pv.reduce((sum, r) => sum + r.powerW, 0),
          );
      }
    },
  );
  registerBatteryGauge(registry, fresh);
}

/** Each battery's state of charge, from its fresh readings. */
function registerBatteryGauge(
  registry: Registry,
  fresh: () => Promise<Array<{ site: Site; rows: Array<{ deviceId: string; socPct: number | null }> }>>,
): void {
  scrapeGauge(
    registry,
    {
      name: 'ilot_battery_soc_percent',
      help: 'Battery state of charge, %; absent while the battery is stale',
      labelNames: ['site', 'device'],
    },
    async (set) => {
      for (const { site, rows } of await fresh())
        for (const row of rows) if (row.socPct !== null) set({ site: site.id, device: row.deviceId }, row.socPct);
    },
  );
}

/**
 * How old each device's last reading is, fresh or not: the series an operator watches for staleness. The participants'
 * meters are counted, not named (issue 26: a meter's last-reading age on /metrics told who was at home): how many of
 * them are silent past their max age.
 */
function registerReadingAgeGauge(registry: Registry, lastReadings: LastReadings, maxAgeS: number): void {
  const personal = (site: Site) => new Set(site.participants.map((p) => p.meter));
  scrapeGauge(
    registry,
    {
      name: 'ilot_device_last_reading_age_seconds',
      help: "Time since the last stored reading of each of the îlot's own devices (not the participants' meters), seconds (absent: none in the past week); compare with its max age for staleness",
      labelNames: ['site', 'device'],
    },
    async (set) => {
      for (const { item: site, value } of await lastReadings()) {
        const meters = personal(site);
        for (const row of value.rows)
          if (!meters.has(row.deviceId))
            set({ site: site.id, device: row.deviceId }, (value.now.getTime() - row.ts.getTime()) / 1000);
      }
    },
  );
  scrapeGauge(
    registry,
    {
      name: 'ilot_participant_meters_silent',
      help: "Participants' meters with no reading within their max age (none in the past week included): counted, never named",
      labelNames: ['site'],
    },
    async (set) => {
      for (const { item: site, value } of await lastReadings()) {
        const last = new Map(value.rows.map((r) => [r.deviceId, r.ts]));
        const silent = [...personal(site)].filter((id) => {
          const device = site.devices.get(id);
          const at = last.get(id);
          return !device || !at || deviceLiveness(device, { lastReadingAt: at }, value.now, maxAgeS).state !== 'live';
        });
        set({ site: site.id }, silent.length);
      }
    },
  );
}

/** Self-consumption and self-sufficiency over the trailing window, from 15-minute means. */
function registerRatioGauges(
  registry: Registry,
  sites: SitesNow,
  readings: ReadingRepository,
  clock: Clock,
  windowH: number,
): void {
  const ratios = eachWhileInFlight(sites, async (site) => {
    const pvIds = devicesOfKind(site, 'pv').map((d) => d.id);
    const consumerIds = [...site.devices.values()].filter((d) => CONSUMING_KINDS.has(d.kind)).map((d) => d.id);
    const to = clock.now();
    const from = new Date(to.getTime() - windowH * HOUR_MS);
    const buckets = (ids: string[]) => readings.bucketedSum(site.id, ids, from, to, 15);
    const [gridBuckets, pvBuckets, consumptionBuckets] = await Promise.all([
      buckets([gridDeviceId(site)]),
      buckets(pvIds),
      buckets(consumerIds),
    ]);
    // 15-minute means: a quarter of an hour each.
    const energyWh = (rows: Array<{ powerW: number }>, part: (w: number) => number) =>
      rows.reduce((sum, b) => sum + part(b.powerW) / 4, 0);
    const positive = (w: number) => Math.max(w, 0);
    return energyRatios({
      importWh: energyWh(gridBuckets, importW),
      exportWh: energyWh(gridBuckets, exportW),
      pvWh: energyWh(pvBuckets, positive),
      consumptionWh: energyWh(consumptionBuckets, positive),
    });
  });
  for (const [name, key, help] of [
    ['ilot_site_self_consumption_ratio', 'selfConsumptionRatio', 'Share of the PV production consumed inside the îlot'],
    ['ilot_site_self_sufficiency_ratio', 'selfSufficiencyRatio', 'Share of the îlot consumption not imported'],
  ] as const)
    scrapeGauge(
      registry,
      { name, help: `${help} over the trailing ${windowH} h; absent without data in it`, labelNames: ['site'] },
      async (set) => {
        for (const { item: site, value } of await ratios()) {
          const ratio = value[key];
          if (ratio !== undefined) set({ site: site.id }, ratio);
        }
      },
    );
}
