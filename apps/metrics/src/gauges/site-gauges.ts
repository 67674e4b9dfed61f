import { sharedWhileInFlight } from './shared-while-in-flight';
import { CONSUMING_KINDS, energyRatios, exportW, HISTORY_MS, HOUR_MS, importW, type Clock } from '@ilot/domain';
import { deviceLiveness, devicesOfKind, gridDeviceId, Site } from '@ilot/site';
import { priceAt } from '@ilot/tariffs';
import { ReadingRepository } from '@ilot/timeseries';
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
      await collect((labels, value) => this.set(labels, value));
    },
  });
}

/**
 * The îlot gauges of docs/design.md, read from the database at scrape time: the latest fresh readings for powers and
 * SoC (a stale device's series disappears), 15-minute means over the trailing window for the ratios.
 */
export function registerSiteGauges(
  registry: Registry,
  site: Site,
  readings: ReadingRepository,
  clock: Clock,
  options: { maxAgeS: number; windowH: number },
): void {
  registerReadingGauges(registry, site, readings, clock, options.maxAgeS);
  registerRatioGauges(registry, site, readings, clock, options.windowH);
  scrapeGauge(
    registry,
    {
      name: 'ilot_site_import_price_eur_per_kwh',
      help: 'Import price now by the site tariff, EUR per kWh, labelled with the tariff period (HP, HC; empty for a dynamic tariff); Tempo days taken as blue',
      labelNames: ['site', 'period'],
    },
    (set) => {
      const price = priceAt(clock.now(), site.tariff, site.timezone, undefined, site.priceSeries);
      set({ site: site.id, period: price.period ?? '' }, price.importEurPerKWh);
    },
  );
}

/** Reading age, grid and PV power, battery SoC: from each device's last reading, the powers from fresh ones only. */
function registerReadingGauges(
  registry: Registry,
  site: Site,
  readings: ReadingRepository,
  clock: Clock,
  maxAgeS: number,
): void {
  const grid = gridDeviceId(site);
  const pvIds = new Set(devicesOfKind(site, 'pv').map((d) => d.id));
  const deviceIds = [...site.devices.keys()];
  // The last reading of every device over the history window; the power gauges use only the fresh ones.
  const lastReadings = sharedWhileInFlight(async () => {
    const now = clock.now();
    return { now, rows: await readings.latestPerDevice(site.id, deviceIds, new Date(now.getTime() - HISTORY_MS), now) };
  });
  // Fresh by the same rule as the planner's (per-device maxAgeS, else the default); status is not asked here.
  const fresh = async () => {
    const { now, rows } = await lastReadings();
    return rows.filter(
      (r) => deviceLiveness(site.devices.get(r.deviceId)!, { lastReadingAt: r.ts }, now, maxAgeS).state === 'live',
    );
  };
  registerReadingAgeGauge(registry, site, lastReadings);
  scrapeGauge(
    registry,
    {
      name: 'ilot_site_grid_power_watts',
      help: 'Power at the grid connection, W (> 0 import, < 0 export); absent while the grid meter is stale',
      labelNames: ['site'],
    },
    async (set) => {
      const row = (await fresh()).find((r) => r.deviceId === grid);
      if (row) set({ site: site.id }, row.powerW);
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
      const rows = (await fresh()).filter((r) => pvIds.has(r.deviceId));
      if (rows.length)
        set(
          { site: site.id },
          rows.reduce((sum, r) => sum + r.powerW, 0),
        );
    },
  );
  registerBatteryGauge(registry, site, fresh);
}

/** Each battery's state of charge, from its fresh readings. */
function registerBatteryGauge(
  registry: Registry,
  site: Site,
  fresh: () => Promise<Array<{ deviceId: string; socPct: number | null }>>,
): void {
  scrapeGauge(
    registry,
    {
      name: 'ilot_battery_soc_percent',
      help: 'Battery state of charge, %; absent while the battery is stale',
      labelNames: ['site', 'device'],
    },
    async (set) => {
      for (const row of await fresh())
        if (row.socPct !== null) set({ site: site.id, device: row.deviceId }, row.socPct);
    },
  );
}

/** How old each device's last reading is, fresh or not: the series an operator watches for staleness. */
function registerReadingAgeGauge(
  registry: Registry,
  site: Site,
  lastReadings: () => Promise<{ now: Date; rows: Array<{ deviceId: string; ts: Date }> }>,
): void {
  scrapeGauge(
    registry,
    {
      name: 'ilot_device_last_reading_age_seconds',
      help: 'Time since the last stored reading of each device, seconds (absent: none in the past week); compare with its max age for staleness',
      labelNames: ['site', 'device'],
    },
    async (set) => {
      const { now, rows } = await lastReadings();
      for (const row of rows) set({ site: site.id, device: row.deviceId }, (now.getTime() - row.ts.getTime()) / 1000);
    },
  );
}

/** Self-consumption and self-sufficiency over the trailing window, from 15-minute means. */
function registerRatioGauges(
  registry: Registry,
  site: Site,
  readings: ReadingRepository,
  clock: Clock,
  windowH: number,
): void {
  const grid = gridDeviceId(site);
  const pvIds = devicesOfKind(site, 'pv').map((d) => d.id);
  const consumerIds = [...site.devices.values()].filter((d) => CONSUMING_KINDS.has(d.kind)).map((d) => d.id);
  const ratios = sharedWhileInFlight(async () => {
    const to = clock.now();
    const from = new Date(to.getTime() - windowH * HOUR_MS);
    const buckets = (ids: string[]) => readings.bucketedSum(site.id, ids, from, to, 15);
    const [gridBuckets, pvBuckets, consumptionBuckets] = await Promise.all([
      buckets([grid]),
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
        const value = (await ratios())[key];
        if (value !== undefined) set({ site: site.id }, value);
      },
    );
}
