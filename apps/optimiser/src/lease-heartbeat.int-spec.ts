import { openDatabase, SiteLeaseRepository } from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { DataSource } from 'typeorm';
import { type HeartbeatReport, LeaseHeartbeat } from './lease-heartbeat';

/** Long enough that a loaded CI machine renews well within it (the soak's is 2.5 s real). */
const LEASE_MS = 3000;
const sites = ['ilot-001', 'ilot-002'];

/** Blocks this thread (the planners' work on a loaded machine), ms. */
function busyFor(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until);
}

/** The leases' heartbeat thread on the real PostgreSQL (issue 30: the month's soak, leases lapsed while the planning thread stalled). */
describe('the leases renewed by a thread of their own', () => {
  let database: TestDatabase;
  let db: DataSource;
  let repository: SiteLeaseRepository;
  let heartbeat: LeaseHeartbeat | undefined;
  const reports: HeartbeatReport[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('ilot_heartbeat');
    db = await openDatabase(database.url);
    repository = new SiteLeaseRepository(db);
  });
  afterEach(async () => {
    await heartbeat?.stop();
    heartbeat = undefined;
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  /** The sites whose lease `holder` holds now (unexpired), by the table. */
  const heldBy = async (holder: string): Promise<string[]> =>
    (
      await db.query('SELECT site_id FROM site_leases WHERE holder = $1 AND expires_at > now() ORDER BY site_id', [
        holder,
      ])
    ).map((row: { site_id: string }) => row.site_id);

  const start = (holder: string, maxSilenceMs: number) => {
    heartbeat = new LeaseHeartbeat(
      { url: database.url, holder, ttlMs: LEASE_MS, everyMs: LEASE_MS / 3, maxSilenceMs },
      (report) => reports.push(report),
    );
    heartbeat.hold(sites);
  };

  it('keeps them while the planning thread is blocked for twice the lease, then says how long each renewal took', async () => {
    expect(await repository.acquire(sites, 'planner-a', new Date(), LEASE_MS)).toHaveLength(2);
    start('planner-a', 10_000);
    busyFor(2 * LEASE_MS);
    // Nobody else could take them: still planner-a's, renewed while this thread did not run.
    expect(await heldBy('planner-a')).toEqual(sites);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const timings = reports.filter((r): r is { tookMs: number; timerLateMs: number } => 'tookMs' in r);
    expect(timings.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...timings.map((r) => r.tookMs))).toBeLessThan(LEASE_MS);
  }, 30_000);

  it('lets them lapse once the planning thread has said nothing for longer than its bound (a stuck process)', async () => {
    expect(await repository.acquire(sites, 'planner-b', new Date(Date.now() + 10 * LEASE_MS), LEASE_MS)).toHaveLength(
      2,
    );
    reports.length = 0;
    start('planner-b', LEASE_MS);
    busyFor(3 * LEASE_MS);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(reports.some((r) => 'silentMs' in r)).toBe(true);
    // Lapsed: nobody holds them, and another instance takes both.
    expect(await heldBy('planner-b')).toEqual([]);
    expect(await repository.acquire(sites, 'planner-c', new Date(), LEASE_MS)).toHaveLength(2);
  }, 30_000);
});
