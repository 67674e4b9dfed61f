import { ledgerReadings, ledgerSite, T0 } from '@ilot/residents/testing/ledger-site';
import {
  DeviceStatusRepository,
  openDatabase,
  PvForecastRepository,
  WeatherForecastRepository,
  ReadingRepository,
  SignalRepository,
} from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import type { DataSource } from 'typeorm';
import { SiteObserver } from './site-observer';

/**
 * Issue 25: what a planner reads of the îlot before it plans, apart from planning (SiteObserver), on the real
 * PostgreSQL: libs/residents' ledger day (readings 12:00-12:30Z, the shop's meter silent from 12:15), seen at 12:32Z.
 */
describe('SiteObserver: the state a plan starts from', () => {
  const site = ledgerSite('dynamic-default', 'observed');
  let database: TestDatabase;
  let db: DataSource;
  let observer: SiteObserver;
  const now = new Date(T0 + 32 * 60_000);

  beforeAll(async () => {
    database = await createTestDatabase('ilot_observer');
    db = await openDatabase(database.url);
    const readings = new ReadingRepository(db);
    await readings.insertBatch(ledgerReadings(site.id), now);
    const statuses = new DeviceStatusRepository(db);
    // pv-1 read at 12:25 but its controller's Last Will came at 12:30: offline wins over a fresh reading.
    await statuses.upsert(site.id, 'pv-1', 'offline', new Date(T0 + 30 * 60_000), now);
    const signals = new SignalRepository(db);
    await signals.storePayload(
      site.id,
      { type: 'effacement', id: 'o-1', start: '2026-01-10T17:00:00Z', end: '2026-01-10T18:00:00Z', reductionW: 2000 },
      site.timezone,
      now,
    );
    observer = new SiteObserver(
      site,
      {
        readings,
        statuses,
        signals,
        pvForecasts: new PvForecastRepository(db),
        weatherForecasts: new WeatherForecastRepository(db),
      },
      { ILOT_STATE_MAX_AGE_S: 600, ILOT_PLAN_SLOT_MINUTES: 15, ILOT_PLAN_HORIZON_SLOTS: 96 },
    );
  }, 60_000);

  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('keeps the live devices, says why each other one is left out, and reads the history in slot means', async () => {
    const observed = await observer.observe(now);
    // Read at 12:25 (7 min ago, under the 10-min age): live. The shop's last reading was at 12:10: stale.
    expect([...observed.latest.keys()].sort()).toEqual(['m-1', 'm-2']);
    expect(observed.latest.get('m-1')).toMatchObject({ powerW: 2000 });
    expect([...observed.unavailable!.keys()].sort()).toEqual(['grid', 'hp-1', 'm-3', 'pv-1']);
    expect(observed.unavailable!.get('pv-1')).toMatch(/offline/);
    expect(observed.unavailable!.get('m-3')).toMatch(/stale|silent|no reading/);
    // 7 days of history up to the slot in progress (12:30): the 12:00 and 12:15 slot means.
    expect(observed.pvHistory!.map((s) => [s.at.toISOString(), s.powerW])).toEqual([
      ['2026-01-10T12:00:00.000Z', 5000],
      ['2026-01-10T12:15:00.000Z', 2400],
    ]);
    expect(observed.consumptionHistory).toHaveLength(2);
    expect(observed.signals!.effacements.map((o) => [o.id, o.reductionW])).toEqual([['o-1', 2000]]);
    expect(observed.monthPeakImportW).toBeUndefined(); // no peak charge in this tariff: not read
    expect(observed.pvForecast).toBeUndefined();
  });

  it('reads what the PV calibration learns from once a forecast is out: past points as planned, each array measured', async () => {
    const forecasts = new PvForecastRepository(db);
    const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
    // Issued at 11:00 for 12:00-12:30, then at 12:20 (12:00 and 12:15 had begun: only 12:30 on is its).
    await forecasts.store(
      site.id,
      { issuedAt: at(-60), source: 'test', series: [0, 15, 30, 45].map((m) => ({ ts: at(m), pvW: 4000 })) },
      now,
    );
    await forecasts.store(
      site.id,
      { issuedAt: at(20), source: 'test', series: [0, 15, 30, 45].map((m) => ({ ts: at(m), pvW: 6000 })) },
      now,
    );
    const observed = await observer.observe(now);
    expect(observed.pvForecast?.issuedAt.toISOString()).toBe(at(20));
    const history = observed.pvCalibrationHistory!;
    // Up to the slot in progress (12:30): the two past slots, each from the issue out when it began.
    expect(history.forecast.map((p) => [p.at.toISOString(), p.pvW])).toEqual([
      [at(0), 4000],
      [at(15), 4000],
    ]);
    expect(history.measured.get('pv-1')!.map((s) => [s.at.toISOString(), s.powerW])).toEqual([
      [at(0), 5000],
      [at(15), 2400],
    ]);
  });

  it('passes on what a live sheddable load says it owes, and nothing from a load gone stale (issue 27)', async () => {
    const readings = new ReadingRepository(db);
    const at = (minutes: number) => new Date(T0 + minutes * 60_000);
    const hp = (minutes: number, owedWh: number) => ({
      siteId: site.id,
      deviceId: 'hp-1',
      ts: at(minutes),
      seq: 1000 + minutes,
      powerW: 1500,
      owedWh,
    });
    // An old debt (12:05) is history: hp-1 is silent since, so neither it nor its debt counts.
    await readings.insertBatch([hp(5, 2000)], now);
    expect((await observer.observe(now)).owedWh).toBeUndefined();
    // Heard again at 12:30 and 12:31: live, and its newest debt is the one the plan pays back.
    await readings.insertBatch([hp(30, 900), hp(31, 750)], now);
    const observed = await observer.observe(now);
    expect(observed.latest.has('hp-1')).toBe(true);
    expect(observed.owedWh).toEqual(new Map([['hp-1', 750]]));
  });
});
