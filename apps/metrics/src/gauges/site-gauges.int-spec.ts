import type { Clock } from '@ilot/domain';
import { openDatabase, ReadingRepository } from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { registerSiteGauges } from './site-gauges';
import { ledgerSite, quarter, T0 } from '@ilot/residents/testing/ledger-site';

/** The site gauges on real PostgreSQL, the clock moved by hand. */
describe('site gauges (real PostgreSQL)', () => {
  let database: TestDatabase;
  let db: DataSource;
  const site = ledgerSite('dynamic-default', 'gauges');
  const other = ledgerSite('dynamic-default', 'gauges-b');
  let served = [site];
  let nowMs = T0;
  const clock: Clock = { now: () => new Date(nowMs), speedup: 1 };
  const registry = new Registry();

  beforeAll(async () => {
    database = await createTestDatabase('ilot_gauges');
    db = await openDatabase(database.url);
    await new ReadingRepository(db).insertBatch(
      [
        ...quarter(site.id, 'grid', T0, 12_000),
        ...quarter(site.id, 'pv-1', T0, 5000),
        ...quarter(site.id, 'm-1', T0, 1000),
        ...quarter(other.id, 'grid', T0, 3000),
        ...quarter(other.id, 'pv-1', T0, 700),
        ...quarter(other.id, 'm-1', T0, 400),
      ],
      new Date(T0 + 900_000),
    );
    registerSiteGauges(registry, () => served, new ReadingRepository(db), clock, { maxAgeS: 600, windowH: 24 });
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  const series = async (name: string) =>
    (await registry.getSingleMetric(name)!.get()).values.map((v) => ({ labels: v.labels, value: v.value }));

  it('exports the grid and PV power of fresh readings', async () => {
    nowMs = T0 + 11 * 60_000; // the last readings (12:10) are a minute old
    expect(await series('ilot_site_grid_power_watts')).toEqual([{ labels: { site: 'gauges' }, value: 12_000 }]);
    expect(await series('ilot_site_pv_power_watts')).toEqual([{ labels: { site: 'gauges' }, value: 5000 }]);
  });

  it('labels every îlot served with its own figures, and follows the sites served from one scrape to the next', async () => {
    nowMs = T0 + 11 * 60_000;
    served = [site, other];
    expect(await series('ilot_site_grid_power_watts')).toEqual([
      { labels: { site: 'gauges' }, value: 12_000 },
      { labels: { site: 'gauges-b' }, value: 3000 },
    ]);
    expect(await series('ilot_site_pv_power_watts')).toEqual([
      { labels: { site: 'gauges' }, value: 5000 },
      { labels: { site: 'gauges-b' }, value: 700 },
    ]);
    const ratios = await series('ilot_site_self_sufficiency_ratio');
    expect(ratios.map((r) => r.labels.site)).toEqual(['gauges', 'gauges-b']);
    served = [other];
    expect(await series('ilot_site_grid_power_watts')).toEqual([{ labels: { site: 'gauges-b' }, value: 3000 }]);
    served = [site];
  });

  // Regression: the gauges were never reset, so a meter that went stale exported its last value for ever.
  it('drops the series of a device gone stale, and keeps saying how old its last reading is', async () => {
    nowMs = T0 + 60 * 60_000; // 50 min after the last readings, past the 600 s max age
    expect(await series('ilot_site_grid_power_watts')).toEqual([]);
    expect(await series('ilot_site_pv_power_watts')).toEqual([]);
    expect(await series('ilot_device_last_reading_age_seconds')).toContainEqual({
      labels: { site: 'gauges', device: 'grid' },
      value: 50 * 60,
    });
  });

  // Issue 26: /metrics named each resident's meter with its last-reading age (who is at home), to anyone.
  it("counts the participants' silent meters and never names one", async () => {
    nowMs = T0 + 11 * 60_000;
    const meters = site.participants.map((p) => p.meter);
    const named = (await series('ilot_device_last_reading_age_seconds')).map((s) => s.labels.device);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((device) => meters.includes(device as string))).toEqual([]);
    const fresh = await series('ilot_participant_meters_silent');
    nowMs = T0 + 60 * 60_000;
    const later = await series('ilot_participant_meters_silent');
    expect(later).toEqual([{ labels: { site: 'gauges' }, value: meters.length }]);
    expect(fresh[0].value).toBeLessThan(meters.length);
  });
});
