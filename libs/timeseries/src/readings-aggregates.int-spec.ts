import type { Reading } from '@ilot/domain';
import { DataSource } from 'typeorm';
import { Client } from 'pg';
import { ReadingRepository } from './reading.repository';
import { parseSiteChange, SITE_CHANGES_CHANNEL } from './site-changes';
import { STORAGE_POLICY } from './storage-policy';
import { STORAGE_BACKENDS } from './testing/storage-backends';

/** Runs a TimescaleDB policy job now (PGlite's scheduler does not run them); a no-op on plain PostgreSQL. */
async function runJobs(db: DataSource, procName: string, relations: string[]): Promise<number> {
  if ((await new ReadingRepository(db).storageMode()) !== 'timescaledb') return 0;
  for (const relation of relations) {
    const jobs: Array<{ job_id: number }> = await db.query(
      `SELECT job_id FROM timescaledb_information.jobs WHERE proc_name = $1 AND hypertable_name = $2`,
      [procName, relation],
    );
    expect(jobs).toHaveLength(1);
    await db.query('CALL run_job($1)', [jobs[0].job_id]);
  }
  return relations.length;
}
const refreshAggregates = (db: DataSource) =>
  runJobs(db, 'policy_refresh_continuous_aggregate', ['readings_15m', 'readings_1h']);

async function waitUntil(done: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
}

describe.each(STORAGE_BACKENDS)('readings aggregates on $name', (backend) => {
  let db: DataSource;
  let close: () => Promise<void>;
  let repository: ReadingRepository;

  beforeAll(async () => {
    ({ db, close } = await backend.open());
    repository = new ReadingRepository(db);
  }, 120_000);
  afterAll(async () => close?.());

  it(`is migrated to the ${backend.mode} path`, async () => {
    expect(await repository.storageMode()).toBe(backend.mode);
    if (backend.mode === 'timescaledb') {
      const hypertables = await db.query(`SELECT hypertable_name FROM timescaledb_information.hypertables`);
      expect(hypertables.map((h: { hypertable_name: string }) => h.hypertable_name).sort()).toEqual([
        'commodity_readings',
        'readings',
      ]);
      const views = await db.query(
        `SELECT view_name, materialized_only FROM timescaledb_information.continuous_aggregates ORDER BY view_name`,
      );
      expect(views).toEqual([
        { view_name: 'commodity_1h', materialized_only: false },
        { view_name: 'readings_15m', materialized_only: false },
        { view_name: 'readings_1h', materialized_only: false },
      ]);
      const jobs = await db.query(
        `SELECT proc_name, hypertable_name, config FROM timescaledb_information.jobs WHERE job_id >= 1000 ORDER BY proc_name, hypertable_name`,
      );
      expect(
        jobs.map((j: { proc_name: string; hypertable_name: string }) => `${j.proc_name} ${j.hypertable_name}`),
      ).toEqual([
        'policy_compression commodity_readings',
        'policy_compression readings',
        'policy_refresh_continuous_aggregate commodity_1h',
        'policy_refresh_continuous_aggregate readings_15m',
        'policy_refresh_continuous_aggregate readings_1h',
        'policy_retention commodity_readings',
        'policy_retention readings',
        'policy_retention readings_15m',
      ]);
      const refresh = jobs.find((j: { hypertable_name: string }) => j.hypertable_name === 'readings_15m').config;
      expect(refresh.start_offset).toBe(STORAGE_POLICY.refreshLookback);
    } else {
      const tables = await db.query(
        `SELECT relname FROM pg_class WHERE relname IN ('readings_15m', 'readings_1h') AND relkind = 'r' ORDER BY relname`,
      );
      expect(tables.map((t: { relname: string }) => t.relname)).toEqual(['readings_15m', 'readings_1h']);
    }
  });

  it('gives the same 15-min and hourly aggregates when 5 % of an hour arrives two days late and the rest shuffled, as when all arrives in order', async () => {
    const now = Date.now();
    const hourStartMs = Math.floor((now - 2 * 86_400_000) / 3_600_000) * 3_600_000 - 3_600_000;
    const next = random(42);
    const devices = Array.from({ length: 8 }, (_, i) => `meter-${i}`);
    const makeReadings = (siteId: string): Reading[] =>
      devices.flatMap((deviceId, d) =>
        Array.from({ length: 360 }, (_, k) => ({
          siteId,
          deviceId,
          ts: new Date(hourStartMs + k * 10_000),
          seq: k,
          powerW: 1000 * d + 500 * Math.sin(k / 20) + k,
          socPct: d === 0 ? 50 + k / 36 : undefined,
        })),
      );
    const insertInBatches = async (readings: Reading[]) => {
      for (let i = 0; i < readings.length; i += 250)
        await repository.insertBatch(readings.slice(i, i + 250), new Date(now));
    };

    await insertInBatches(makeReadings('in-order'));
    await refreshAggregates(db);

    const shuffled = makeReadings('late').sort(() => next() - 0.5);
    const lateCount = Math.round(shuffled.length * 0.05);
    const onTime = shuffled.slice(lateCount);
    const late = shuffled.slice(0, lateCount);
    await insertInBatches(onTime);
    const jobsRun = await refreshAggregates(db);
    const hourBefore = await repository.forDevice(
      'late',
      'meter-3',
      new Date(hourStartMs),
      new Date(hourStartMs + 3_600_000),
      60,
    );
    await insertInBatches(late);
    // A duplicate of what is stored must not count twice in the aggregates.
    await insertInBatches(onTime.slice(0, 500));
    await refreshAggregates(db);

    const from = new Date(hourStartMs - 3_600_000);
    const to = new Date(hourStartMs + 2 * 3_600_000);
    for (const minutes of [15, 60]) {
      for (const deviceId of devices) {
        const expected = await repository.forDevice('in-order', deviceId, from, to, minutes);
        const actual = await repository.forDevice('late', deviceId, from, to, minutes);
        expect(actual).toHaveLength(60 / Math.min(minutes, 60) === 1 ? 1 : 4);
        expect(actual.map((b) => b.ts.toISOString())).toEqual(expected.map((b) => b.ts.toISOString()));
        actual.forEach((bucket, i) => {
          expect(bucket.powerW).toBeCloseTo(expected[i].powerW, 9);
          if (deviceId === 'meter-0') expect(bucket.socPct).toBeCloseTo(expected[i].socPct as number, 9);
          else expect(bucket.socPct).toBeNull();
        });
      }
      // Sums across devices, the optimiser's and the gauges' query.
      const expectedSum = await repository.bucketedSum('in-order', devices, from, to, minutes);
      const actualSum = await repository.bucketedSum('late', devices, from, to, minutes);
      expect(actualSum.map((b) => [b.bucket.toISOString(), b.devices])).toEqual(
        expectedSum.map((b) => [b.bucket.toISOString(), devices.length]),
      );
      actualSum.forEach((b, i) => expect(b.powerW).toBeCloseTo(expectedSum[i].powerW, 6));
    }
    // The hour's mean of one device, from first principles.
    const meter3 = makeReadings('x').filter((r) => r.deviceId === 'meter-3');
    const [hour] = await repository.forDevice(
      'late',
      'meter-3',
      new Date(hourStartMs),
      new Date(hourStartMs + 3_600_000),
      60,
    );
    expect(hour.powerW).toBeCloseTo(meter3.reduce((sum, r) => sum + r.powerW, 0) / meter3.length, 9);
    // With TimescaleDB the late readings reach the materialised hour only through the refresh; the rollup tables take them at once.
    if (jobsRun > 0) expect(hourBefore[0].powerW).not.toBeCloseTo(hour.powerW, 6);
  }, 120_000);

  // PGlite serves every connection from one session and does not pass notifications between them; both paths end with the same COUNT_AND_NOTIFY.
  (backend.mode === 'postgresql' ? it : it.skip)(
    'announces committed readings on SITE_CHANGES_CHANNEL in the insert statement itself: once per site with new rows, never for duplicates only',
    async () => {
      const listener = new Client({ connectionString: (db.options as { url: string }).url });
      await listener.connect();
      const heard: string[] = [];
      listener.on(
        'notification',
        (n) => n.channel === SITE_CHANGES_CHANNEL && heard.push(JSON.stringify(parseSiteChange(n.payload))),
      );
      try {
        await listener.query(`LISTEN ${SITE_CHANGES_CHANNEL}`);
        const ts = new Date(Date.UTC(2026, 2, 1, 8));
        const batch = [
          { siteId: 'north', deviceId: 'm1', ts, seq: 1, powerW: 100 },
          { siteId: 'north', deviceId: 'm2', ts, seq: 1, powerW: 200 },
          { siteId: 'south', deviceId: 'm1', ts, seq: 1, powerW: 300 },
        ];
        expect(await repository.insertBatch(batch, ts)).toEqual({ inserted: 3, duplicates: 0 });
        await waitUntil(() => heard.length >= 2);
        expect(await repository.insertBatch(batch, ts)).toEqual({ inserted: 0, duplicates: 3 });
        // A later notification would have arrived by the time this round trip returns (delivered in commit order).
        await listener.query('SELECT 1');
        expect(heard.sort()).toEqual([
          JSON.stringify({ site: 'north', kind: 'readings' }),
          JSON.stringify({ site: 'south', kind: 'readings' }),
        ]);
      } finally {
        await listener.end();
      }
    },
  );

  if (backend.mode === 'timescaledb') {
    it('compresses raw chunks past the lateness window and drops them past retention, keeping them readable until then', async () => {
      const day = 86_400_000;
      const old = (days: number) => new Date(Date.now() - days * day);
      await db.query(
        `INSERT INTO readings (site_id, device_id, ts, seq, power_w, received_at)
         SELECT 'archive', 'meter', $1::timestamptz + g * INTERVAL '1 minute', g, g, now() FROM generate_series(0, 59) g
         UNION ALL
         SELECT 'archive', 'meter', $2::timestamptz + g * INTERVAL '1 minute', g, g, now() FROM generate_series(0, 59) g`,
        [old(20).toISOString(), old(500).toISOString()],
      );
      await runJobs(db, 'policy_compression', ['readings']);
      const compressed = await db.query(
        `SELECT count(*)::int AS n FROM timescaledb_information.chunks WHERE hypertable_name = 'readings' AND is_compressed`,
      );
      expect(compressed[0].n).toBeGreaterThanOrEqual(2);
      expect(await repository.forDevice('archive', 'meter', old(21), old(19))).toHaveLength(60);

      await runJobs(db, 'policy_retention', ['readings']);
      expect(await repository.forDevice('archive', 'meter', old(501), old(499))).toHaveLength(0);
      expect(await repository.forDevice('archive', 'meter', old(21), old(19))).toHaveLength(60);
    }, 120_000);
  }
});
