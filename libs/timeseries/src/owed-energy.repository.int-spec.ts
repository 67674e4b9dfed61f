import type { Reading } from '@ilot/domain';
import { DataSource } from 'typeorm';
import { openDatabase } from './data-source';
import { ReadingRepository } from './reading.repository';
import { createTestDatabase, TestDatabase } from './testing/test-database';

describe('The energy sheddable loads owe, on the real PostgreSQL (issue 27)', () => {
  let database: TestDatabase;
  let db: DataSource;
  let readings: ReadingRepository;
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 15, 18, minute));
  const reading = (deviceId: string, minute: number, owedWh?: number): Reading => ({
    siteId: 'demo',
    deviceId,
    ts: at(minute),
    seq: minute,
    powerW: 1500,
    ...(owedWh === undefined ? {} : { owedWh }),
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await openDatabase(database.url);
    readings = new ReadingRepository(db);
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('keeps the newest debt per load from the telemetry batches, an older one never over it, a retry the same', async () => {
    await readings.insertBatch([reading('hp-1', 0, 900), reading('hp-1', 5, 600), reading('m-1', 5)], at(6));
    // A late backlog (minute 2, more owed then) arrives after: it is history, the minute-5 debt stays in force.
    await readings.insertBatch([reading('hp-1', 2, 1200)], at(7));
    await readings.insertBatch([reading('hp-2', 4, 0)], at(7));
    await readings.insertBatch([reading('hp-2', 4, 0)], at(8));
    expect(await readings.latestOwedEnergy('demo', at(0))).toEqual([
      { deviceId: 'hp-1', ts: at(5), owedWh: 600 },
      { deviceId: 'hp-2', ts: at(4), owedWh: 0 },
    ]);
    // Older than the freshness asked: left out.
    expect((await readings.latestOwedEnergy('demo', at(5))).map((o) => o.deviceId)).toEqual(['hp-1']);
    const stored: Array<{ n: number }> = await db.query('SELECT count(*)::int AS n FROM readings WHERE site_id = $1', [
      'demo',
    ]);
    expect(stored[0].n).toBe(5);
  });

  it('refuses a negative debt in the table itself', async () => {
    await expect(
      db.query(
        `INSERT INTO owed_energy (site_id, device_id, ts, owed_wh, received_at) VALUES ('demo', 'x', now(), -1, now())`,
      ),
    ).rejects.toThrow(/check constraint/);
  });
});
