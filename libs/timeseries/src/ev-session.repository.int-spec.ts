import type { Reading } from '@ilot/domain';
import { DataSource } from 'typeorm';
import { openDatabase } from './data-source';
import { EvSessionRepository } from './ev-session.repository';
import { ReadingRepository } from './reading.repository';
import { createTestDatabase, TestDatabase } from './testing/test-database';

describe('EV sessions on the real PostgreSQL', () => {
  let database: TestDatabase;
  let db: DataSource;
  let readings: ReadingRepository;
  let sessions: EvSessionRepository;
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 15, 18, minute));
  const departure = new Date('2026-01-16T06:30:00Z');
  const reading = (deviceId: string, minute: number, evSession?: Reading['evSession']): Reading => ({
    siteId: 'demo',
    deviceId,
    ts: at(minute),
    seq: minute,
    powerW: evSession?.plugged ? 7400 : 0,
    ...(evSession ? { evSession } : {}),
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await openDatabase(database.url);
    readings = new ReadingRepository(db);
    sessions = new EvSessionRepository(db);
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('keeps the newest session per charger from the telemetry batches, an older one never over it', async () => {
    await readings.insertBatch(
      [
        reading('ev-1', 0, { plugged: false }),
        reading('ev-1', 5, { plugged: true, energyNeededWh: 12_000, departure, maxW: 7400 }),
        reading('m-1', 5),
      ],
      at(6),
    );
    // A late backlog (minute 2) arrives after: it is history, the minute-5 session stays in force.
    await readings.insertBatch([reading('ev-1', 2, { plugged: false })], at(7));
    expect(await sessions.latest('demo', at(0))).toEqual([
      { deviceId: 'ev-1', ts: at(5), session: { plugged: true, energyNeededWh: 12_000, departure, maxW: 7400 } },
    ]);
    const stored: Array<{ n: number }> = await db.query('SELECT count(*)::int AS n FROM readings WHERE site_id = $1', [
      'demo',
    ]);
    expect(stored[0].n).toBe(4);
  });

  it('leaves out a session older than the freshness asked, and takes an unplug', async () => {
    await readings.insertBatch([reading('ev-2', 1, { plugged: true, energyNeededWh: 1000, departure })], at(1));
    expect((await sessions.latest('demo', at(3))).map((s) => s.deviceId)).toEqual(['ev-1']);
    await readings.insertBatch([reading('ev-2', 10, { plugged: false })], at(10));
    expect((await sessions.latest('demo', at(3))).find((s) => s.deviceId === 'ev-2')?.session).toEqual({
      plugged: false,
    });
  });

  it('writes the same again when a batch is retried (idempotent)', async () => {
    const batch = [reading('ev-3', 20, { plugged: true, energyNeededWh: 5000, departure })];
    await readings.insertBatch(batch, at(20));
    await readings.insertBatch(batch, at(21));
    expect((await sessions.latest('demo', at(20))).find((s) => s.deviceId === 'ev-3')?.session.energyNeededWh).toBe(
      5000,
    );
  });
});
