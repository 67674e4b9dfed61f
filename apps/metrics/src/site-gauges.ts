import { sharedWhileInFlight } from './shared-while-in-flight';
import { CONSUMING_KINDS, energyRatios, exportW, HOUR_MS, importW, type Clock } from '@ilot/domain';
import { deviceLiveness, devicesOfKind, gridDeviceId, Site } from '@ilot/site';
import { priceAt } from '@ilot/tariffs';
import { ReadingRepository } from '@ilot/timeseries';
import { Gauge, Registry } from 'prom-client';

/**
 * The îlot gauges of DESIGN.md, read from the database at scrape time: the latest fresh
 * readings for powers and SoC, 15-minute means over the trailing window for the ratios.
 */
export function registerSiteGauges(
  registry: Registry,
  site: Site,
  readings: ReadingRepository,
  clock: Clock,
  options: { maxAgeS: number; windowH: number },
): void {
  const grid = gridDeviceId(site);
  const pvIds = devicesOfKind(site, 'pv').map((d) => d.id);
  const consumerIds = [...site.devices.values()].filter((d) => CONSUMING_KINDS.has(d.kind)).map((d) => d.id);
  const labels = { site: site.id };

  const deviceIds = [...site.devices.keys()];
  // The last reading of every device over the past week; the power gauges use only the fresh ones.
  const lastReadings = sharedWhileInFlight(async () => {
    const now = clock.now();
    return {
      now,
      rows: await readings.latestPerDevice(site.id, deviceIds, new Date(now.getTime() - 7 * 24 * HOUR_MS), now),
    };
  });
  const latest = async () => {
    const { now, rows } = await lastReadings();
    // Fresh by the same rule as the planner's (per-device maxAgeS, else the default); status is not asked here.
    return rows.filter(
      (r) =>
        deviceLiveness(site.devices.get(r.deviceId)!, { lastReadingAt: r.ts }, now, options.maxAgeS).state === 'live',
    );
  };

  new Gauge({
    name: 'ilot_device_last_reading_age_seconds',
    help: 'Time since the last stored reading of each device, seconds (absent: none in the past week); compare with its max age for staleness',
    labelNames: ['site', 'device'],
    registers: [registry],
    async collect() {
      this.reset();
      const { now, rows } = await lastReadings();
      for (const row of rows)
        this.set({ site: site.id, device: row.deviceId }, (now.getTime() - row.ts.getTime()) / 1000);
    },
  });

  new Gauge({
    name: 'ilot_site_grid_power_watts',
    help: 'Power at the grid connection, W (> 0 import, < 0 export)',
    labelNames: ['site'],
    registers: [registry],
    async collect() {
      const row = (await latest()).find((r) => r.deviceId === grid);
      if (row) this.set(labels, row.powerW);
    },
  });
  new Gauge({
    name: 'ilot_site_import_price_eur_per_kwh',
    help: 'Import price now by the site tariff, EUR per kWh, labelled with the tariff period (HP, HC; empty for a dynamic tariff); Tempo days taken as blue',
    labelNames: ['site', 'period'],
    registers: [registry],
    collect() {
      this.reset();
      const price = priceAt(clock.now(), site.tariff, site.timezone, undefined, site.priceSeries);
      this.set({ site: site.id, period: price.period ?? '' }, price.importEurPerKWh);
    },
  });
  new Gauge({
    name: 'ilot_site_pv_power_watts',
    help: 'PV production of the îlot, W',
    labelNames: ['site'],
    registers: [registry],
    async collect() {
      const rows = (await latest()).filter((r) => pvIds.includes(r.deviceId));
      if (rows.length)
        this.set(
          labels,
          rows.reduce((sum, r) => sum + r.powerW, 0),
        );
    },
  });
  new Gauge({
    name: 'ilot_battery_soc_percent',
    help: 'Battery state of charge, %',
    labelNames: ['site', 'device'],
    registers: [registry],
    async collect() {
      for (const row of await latest())
        if (row.socPct !== null) this.set({ site: site.id, device: row.deviceId }, row.socPct);
    },
  });

  const ratios = sharedWhileInFlight(async () => {
    const to = clock.now();
    const from = new Date(to.getTime() - options.windowH * HOUR_MS);
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
  new Gauge({
    name: 'ilot_site_self_consumption_ratio',
    help: `Share of the PV production consumed inside the îlot over the trailing ${options.windowH} h`,
    labelNames: ['site'],
    registers: [registry],
    async collect() {
      const { selfConsumptionRatio } = await ratios();
      if (selfConsumptionRatio !== undefined) this.set(labels, selfConsumptionRatio);
    },
  });
  new Gauge({
    name: 'ilot_site_self_sufficiency_ratio',
    help: `Share of the îlot consumption not imported over the trailing ${options.windowH} h`,
    labelNames: ['site'],
    registers: [registry],
    async collect() {
      const { selfSufficiencyRatio } = await ratios();
      if (selfSufficiencyRatio !== undefined) this.set(labels, selfSufficiencyRatio);
    },
  });
}
