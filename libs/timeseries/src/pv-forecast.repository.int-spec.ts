import { DataSource } from 'typeorm';
import { openDatabase } from './data-source';
import { PV_FORECAST_RETENTION_DAYS, PvForecastRepository } from './pv-forecast.repository';
import { createTestDatabase, TestDatabase } from './testing/test-database';

describe('external PV forecasts on the real PostgreSQL', () => {
  let database: TestDatabase;
  let db: DataSource;
  let forecasts: PvForecastRepository;
  const at = (h: number) => new Date(Date.UTC(2026, 5, 17, h));
  const issue = (issuedH: number, pvW: number, device?: string) => ({
    issuedAt: at(issuedH).toISOString(),
    source: 'open-meteo',
    series: [6, 7, 8].map((h) => ({ ts: at(h).toISOString(), pvW, ...(device ? { device } : {}) })),
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await openDatabase(database.url);
    forecasts = new PvForecastRepository(db);
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('gives the newest issue, its points in the window asked, and keeps the older issues', async () => {
    await forecasts.store('demo', issue(3, 1000), at(3));
    await forecasts.store('demo', issue(5, 2000, 'pv-a'), at(5));
    expect(await forecasts.newest('demo', at(0), at(7), at(9))).toEqual({
      issuedAt: at(5),
      source: 'open-meteo',
      points: [
        { deviceId: 'pv-a', ts: at(7), pvW: 2000 },
        { deviceId: 'pv-a', ts: at(8), pvW: 2000 },
      ],
    });
    const kept: Array<{ n: number }> = await db.query(
      'SELECT count(*)::int AS n FROM pv_forecasts WHERE site_id = $1',
      ['demo'],
    );
    expect(kept[0].n).toBe(6);
  });

  it('gives each past point as the planner had it when its slot began: the newest issue out by then, never a later one', async () => {
    // Issued at 03:00 for 06-08, at 07:00 for 06-08 again (06:00 had passed: its point never reaches back).
    await forecasts.store('planned', issue(3, 100), at(3));
    await forecasts.store('planned', issue(7, 300), at(7));
    expect(await forecasts.asPlanned('planned', at(6), at(9))).toEqual([
      { deviceId: '', ts: at(6), pvW: 100 },
      { deviceId: '', ts: at(7), pvW: 300 },
      { deviceId: '', ts: at(8), pvW: 300 },
    ]);
    expect(await forecasts.asPlanned('planned', at(7), at(8))).toEqual([{ deviceId: '', ts: at(7), pvW: 300 }]);
  });

  it('writes a redelivered issue once, and gives nothing when the newest issue is stale', async () => {
    await forecasts.store('other', issue(3, 500), at(3));
    await forecasts.store('other', issue(3, 500), at(4));
    const kept: Array<{ n: number }> = await db.query(
      'SELECT count(*)::int AS n FROM pv_forecasts WHERE site_id = $1',
      ['other'],
    );
    expect(kept[0].n).toBe(3);
    expect(await forecasts.newest('other', at(4), at(6), at(9))).toBeUndefined();
    expect((await forecasts.newest('other', at(3), at(6), at(9)))?.points).toHaveLength(3);
  });

  it("drops the issues older than the retention when a new one comes, and only that site's", async () => {
    const count = async (siteId: string) =>
      (
        (await db.query('SELECT count(*)::int AS n FROM pv_forecasts WHERE site_id = $1', [siteId])) as Array<{
          n: number;
        }>
      )[0].n;
    const daysLater = (days: number, pvW: number) => {
      const issuedAt = new Date(at(3).getTime() + days * 86_400_000);
      return { issuedAt: issuedAt.toISOString(), series: [{ ts: issuedAt.toISOString(), pvW }] };
    };
    const before = await count('other');
    await forecasts.store('demo', daysLater(PV_FORECAST_RETENTION_DAYS - 1, 10), at(3));
    expect(await count('demo')).toBe(6 + 1);
    // An issue 30 days and 1 hour after the first (03:00) drops it; the second (05:00) is still within the retention.
    await forecasts.store('demo', daysLater(PV_FORECAST_RETENTION_DAYS + 1 / 24, 20), at(3));
    expect(await count('demo')).toBe(3 + 1 + 1);
    expect(await count('other')).toBe(before);
  });
});
