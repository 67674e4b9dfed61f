import { DataSource } from 'typeorm';
import { openDatabase } from './data-source';
import { DeviceStatusRepository } from './device-status.repository';
import { createTestDatabase, TestDatabase } from './testing/test-database';

describe('DeviceStatusRepository on the real PostgreSQL', () => {
  let database: TestDatabase;
  let db: DataSource;
  let statuses: DeviceStatusRepository;
  const at = (second: number) => new Date(Date.UTC(2026, 10, 22, 12, 0, second));

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await openDatabase(database.url);
    statuses = new DeviceStatusRepository(db);
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  // The Last Will is composed at connect time, so it carries the connection's `ts`, the same as its "online".
  it('marks a device offline by the Last Will of its connection (same ts as its "online": offline wins)', async () => {
    expect(await statuses.upsert('demo', 'pv-a', 'online', at(1), at(1))).toBe(true);
    expect(await statuses.upsert('demo', 'pv-a', 'offline', at(1), at(30))).toBe(true);
    expect([...(await statuses.offlineDevices('demo'))]).toEqual([['pv-a', at(30)]]);
    expect(await statuses.upsert('demo', 'pv-a', 'online', at(40), at(40))).toBe(true);
    expect((await statuses.offlineDevices('demo')).size).toBe(0);
  });

  // Regression (probe of the running îlot): an "offline" dated long ago, a late Last Will of an earlier connection or a
  // QoS 1 redelivery took a live meter out of the plan.
  it.each([
    ['an "offline" dated long before', at(-3600)],
    ['the Last Will of the previous connection', at(5)],
  ])('keeps %s as history, not applied', async (_what, offlineTs) => {
    const device = `m-${offlineTs.getTime()}`;
    await statuses.upsert('demo', device, 'online', at(10), at(10));
    expect(await statuses.upsert('demo', device, 'offline', offlineTs, at(20))).toBe(false);
    expect((await statuses.offlineDevices('demo')).has(device)).toBe(false);
    const history: Array<{ state: string; applied: boolean }> = await db.query(
      'SELECT state, applied FROM device_status_history WHERE site_id = $1 AND device_id = $2 ORDER BY received_at',
      ['demo', device],
    );
    expect(history).toEqual([
      { state: 'online', applied: true },
      { state: 'offline', applied: false },
    ]);
  });
});
