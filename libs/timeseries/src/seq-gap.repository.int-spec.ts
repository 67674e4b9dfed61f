import type { Reading } from '@ilot/domain';
import type { DataSource } from 'typeorm';
import { openDatabase } from './data-source';
import { ReadingRepository } from './reading.repository';
import { SeqGapRepository } from './seq-gap.repository';
import { createTestDatabase, TestDatabase } from './testing/test-database';

const SITE = 'seq-site';
const DEVICES = ['m-1', 'm-2', 'm-3', 'm-4', 'm-5'];
const T0 = Date.UTC(2026, 11, 1, 10, 0, 0);
/** A reading every 10 s of a device, with the seq given. */
const readings = (deviceId: string, seqs: number[], fromIndex = 0): Reading[] =>
  seqs.map((seq, i) => ({ siteId: SITE, deviceId, ts: new Date(T0 + (fromIndex + i) * 10_000), seq, powerW: 100 }));

/** Issue 30 §3 on the real PostgreSQL: gaps in each device's seq counted once, restarts told apart, late readings waited for. */
describe('SeqGapRepository: the gaps in each device’s seq', () => {
  let database: TestDatabase;
  let db: DataSource;
  let gaps: SeqGapRepository;
  /** Stored as received at `receivedAt` (an hour after the first reading's time by default). */
  const insert = (rows: Reading[], receivedAt = new Date(T0 + 3_600_000)) =>
    new ReadingRepository(db).insertBatch(rows, receivedAt);
  const at = (index: number) => new Date(T0 + index * 10_000);
  /** Every reading received before this is judged. */
  const LATER = new Date(T0 + 2 * 3_600_000);
  const FIRST = new Date(T0 - 3_600_000);

  beforeAll(async () => {
    database = await createTestDatabase('ilot_seq_gaps');
    db = await openDatabase(database.url);
    gaps = new SeqGapRepository(db);
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('counts each jump as a gap and its missing readings, a fall as a restart, a backfill (seq 0) as neither', async () => {
    // m-1: 1..3, then 6 (4 and 5 lost), 7, then the device restarts: 1, 2. m-2: all there, and a backfill among them.
    await insert([...readings('m-1', [1, 2, 3, 6, 7, 1, 2]), ...readings('m-2', [10, 11, 0, 12])]);
    const found = await gaps.check(SITE, DEVICES, LATER, FIRST);
    expect(found?.sort((a, b) => a.deviceId.localeCompare(b.deviceId))).toEqual([
      { deviceId: 'm-1', gaps: 1, missing: 2, firstGapAt: at(3), restarts: 1 },
      { deviceId: 'm-2', gaps: 0, missing: 0, restarts: 0 },
    ]);
  });

  it('starts the next check after the last one: a gap across the two is counted, none twice', async () => {
    // After the restart m-1 was at seq 2: 3 is lost across the two checks, then 6 and 7.
    await insert(readings('m-1', [4, 5, 8], 7));
    expect(await gaps.check(SITE, DEVICES, LATER, FIRST)).toEqual([
      { deviceId: 'm-1', gaps: 2, missing: 3, firstGapAt: at(7), restarts: 0 },
    ]);
    expect(await gaps.check(SITE, DEVICES, LATER, FIRST)).toEqual([]);
  });

  it('waits while a device’s readings are still arriving, judging by when they arrived, not by their time', async () => {
    // m-3's readings of an hour ago arrive now (a backlog): received after the settling bound, none is judged yet.
    const now = new Date(T0 + 3 * 3_600_000);
    await insert(readings('m-3', [1, 2, 4], 20), now);
    expect(await gaps.check(SITE, DEVICES, new Date(now.getTime() - 60_000), FIRST)).toEqual([]);
    // seq 3 arrives a little later: no gap once they are all judged.
    await insert(readings('m-3', [3], 21.5), new Date(now.getTime() + 30_000));
    expect(await gaps.check(SITE, DEVICES, new Date(now.getTime() + 600_000), FIRST)).toEqual([
      { deviceId: 'm-3', gaps: 0, missing: 0, restarts: 0 },
    ]);
  });

  it('judges the readings of a device received before the first one still arriving', async () => {
    const now = new Date(T0 + 4 * 3_600_000);
    await insert(readings('m-5', [1, 3], 40), new Date(now.getTime() - 600_000));
    await insert(readings('m-5', [5], 42), now);
    expect(await gaps.check(SITE, DEVICES, new Date(now.getTime() - 60_000), FIRST)).toEqual([
      { deviceId: 'm-5', gaps: 1, missing: 1, firstGapAt: at(41), restarts: 0 },
    ]);
  });

  it('checks a site in one process at a time: a concurrent check skips it', async () => {
    await insert(readings('m-4', [1, 3], 30));
    const [a, b] = await Promise.all([
      gaps.check(SITE, DEVICES, LATER, FIRST),
      gaps.check(SITE, DEVICES, LATER, FIRST),
    ]);
    const done = [a, b].filter((x) => x !== undefined);
    const counted = done.flat().reduce((sum, d) => sum + (d?.missing ?? 0), 0);
    expect(counted).toBe(1);
  });
});
