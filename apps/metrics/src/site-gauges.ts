import { CONSUMING_KINDS, energyRatios, HOUR_MS, type Clock } from '@ilot/domain';
import { devicesOfKind, gridDeviceId, Site } from '@ilot/site';
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

  const latest = () => readings.latestPerDevice(site.id, new Date(clock.now().getTime() - options.maxAgeS * 1000));

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
      for (const row of await latest()) if (row.socPct !== null) this.set({ site: site.id, device: row.deviceId }, row.socPct);
    },
  });

  const ratios = async () => {
    const to = clock.now();
    const from = new Date(to.getTime() - options.windowH * HOUR_MS);
    const energyWh = async (ids: string[], sign: (w: number) => number) =>
      (await readings.bucketedSum(site.id, ids, from, to, 15)).reduce((sum, b) => sum + sign(b.powerW) / 4, 0);
    const [importWh, exportWh, pvWh, consumptionWh] = await Promise.all([
      energyWh([grid], (w) => Math.max(w, 0)),
      energyWh([grid], (w) => Math.max(-w, 0)),
      energyWh(pvIds, (w) => Math.max(w, 0)),
      energyWh(consumerIds, (w) => Math.max(w, 0)),
    ]);
    return energyRatios({ importWh, exportWh, pvWh, consumptionWh });
  };
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
