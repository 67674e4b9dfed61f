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

  // Regression: statuses were ordered by their `ts`, and a Last Will is composed at connect time,
  // before the "online" that follows it: a device that dropped off was never marked offline.
  it('marks a device offline by its Last Will although the will is stamped before the "online" it follows', async () => {
    await statuses.upsert('demo', 'pv-a', 'online', at(1), at(1));
    await statuses.upsert('demo', 'pv-a', 'offline', at(0), at(30));
    expect([...(await statuses.offlineDevices('demo'))]).toEqual([['pv-a', at(30)]]);
    await statuses.upsert('demo', 'pv-a', 'online', at(40), at(40));
    expect((await statuses.offlineDevices('demo')).size).toBe(0);
  });
});
