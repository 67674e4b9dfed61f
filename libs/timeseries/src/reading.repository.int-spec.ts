import { DataSource } from 'typeorm';
import { openDatabase } from './data-source';
import { MIGRATIONS } from './migrations';
import { ReadingRepository } from './reading.repository';
import { createTestDatabase, TestDatabase } from './testing/test-database';

describe('ReadingRepository on the real PostgreSQL', () => {
  let database: TestDatabase;
  let db: DataSource;
  let repository: ReadingRepository;
  const at = (minute: number) => new Date(Date.UTC(2026, 0, 15, 12, minute));
  const reading = (deviceId: string, minute: number, powerW: number, seq = minute) => ({
    siteId: 'demo',
    deviceId,
    ts: at(minute),
    seq,
    powerW,
  });

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await openDatabase(database.url);
    repository = new ReadingRepository(db);
  });
  afterAll(async () => {
    await db.destroy();
    await database.drop();
  });

  it('applies the migrations once, even when two processes open the database together', async () => {
    const [a, b] = await Promise.all([openDatabase(database.url), openDatabase(database.url)]);
    const rows = await a.query('SELECT count(*)::int AS n FROM schema_migrations');
    expect(rows[0].n).toBe(MIGRATIONS.length);
    await Promise.all([a.destroy(), b.destroy()]);
  });

  it('stores a reading once: the same (site, device, ts) again is counted as a duplicate, within and across batches', async () => {
    const first = await repository.insertBatch(
      [reading('pv', 0, 100), reading('pv', 1, 110), reading('pv', 1, 110)],
      at(2),
    );
    expect(first).toEqual({ inserted: 2, duplicates: 1 });
    const again = await repository.insertBatch([reading('pv', 0, 100), reading('pv', 2, 120)], at(3));
    expect(again).toEqual({ inserted: 1, duplicates: 1 });
    const stored = await repository.forDevice('demo', 'pv', at(0), at(10));
    expect(stored.map((r) => [r.ts.toISOString(), r.powerW, r.seq])).toEqual([
      [at(0).toISOString(), 100, 0],
      [at(1).toISOString(), 110, 1],
      [at(2).toISOString(), 120, 2],
    ]);
  });

  // Regression (probe of the running îlot): a second value for a stored (device, ts) was dropped silently.
  it('tells a second value for a stored instant from the same reading sent again', async () => {
    await repository.insertBatch([reading('m-9', 0, 500, 7)], at(1));
    const replayed = reading('m-9', 0, 500, 7);
    const otherPower = reading('m-9', 0, 650, 7);
    const otherSeq = reading('m-9', 0, 500, 8);
    expect(await repository.conflicting([replayed, otherPower, otherSeq])).toEqual([
      { reading: otherPower, storedPowerW: 500, storedSeq: 7 },
      { reading: otherSeq, storedPowerW: 500, storedSeq: 7 },
    ]);
  });

  it('gives the newest reading per device and per-bucket sums of device means', async () => {
    await repository.insertBatch(
      [
        reading('m1', 0, 1000),
        reading('m1', 5, 3000),
        reading('m1', 20, 500),
        reading('m2', 0, 200),
        reading('m2', 16, 400),
      ],
      at(30),
    );
    const latest = await repository.latestPerDevice('demo', ['m1', 'm2', 'absent'], at(0));
    expect(
      Object.fromEntries(latest.filter((l) => l.deviceId.startsWith('m')).map((l) => [l.deviceId, l.powerW])),
    ).toEqual({ m1: 500, m2: 400 });
    const buckets = await repository.bucketedSum('demo', ['m1', 'm2'], at(0), at(30), 15);
    expect(buckets.map((b) => [b.bucket.toISOString(), b.powerW, b.devices])).toEqual([
      [at(0).toISOString(), 2000 + 200, 2],
      [at(15).toISOString(), 500 + 400, 2],
    ]);
  });

  // Issue 25: readings a broker dropped leave gaps in their devices' seq; a device restarting its count leaves none.
  it('counts the readings missing by the gaps in each device seq, in time order', async () => {
    const site = (deviceId: string, minute: number, seq: number) => ({
      ...reading(deviceId, minute, 1, seq),
      siteId: 'gaps',
    });
    await repository.insertBatch(
      [
        // m-1: 1, 2, 5 (3 and 4 lost), then 6, then restarts at 0 (no gap), then 1, 4 (2 and 3 lost)
        ...[1, 2, 5, 6, 0, 1, 4].map((seq, i) => site('m-1', 20 + i, seq)),
        // m-2: complete, sent out of order (stored by instant: 10 at :31 before 11 at :32)
        site('m-2', 32, 11),
        site('m-2', 31, 10),
        site('m-2', 33, 12),
      ],
      at(40),
    );
    expect(await repository.missingBySeq('gaps', at(0), at(59))).toEqual(new Map([['m-1', 4]]));
    // Only the window asked: from :23 on, m-1 is 6, 0, 1, 4.
    expect(await repository.missingBySeq('gaps', at(23), at(59))).toEqual(new Map([['m-1', 2]]));
    expect(await repository.missingBySeq('no-such-site', at(0), at(59))).toEqual(new Map());
  });
});
