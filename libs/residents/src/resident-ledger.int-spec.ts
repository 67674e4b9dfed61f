import {
  API_ROLE,
  createDataSource,
  LedgerMarkRepository,
  openDatabase,
  ReadingRepository,
  ResidentLedgerRepository,
  ViewerTickets,
} from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { apiDatabaseUrl, openResidentDatabase } from './resident-database';
import { LEDGER_RECOMPUTE_MS, residentLedgerOn, ResidentLedgerService } from './resident-ledger.service';
import { ResidentReportService } from './resident-report.service';
import { ledgerReadings, ledgerSite, quarter, T0 } from './testing/ledger-site';

const SITE = ledgerSite();

/**
 * The operator's side of the reports on real PostgreSQL: the ledger computed from the readings (allocation by
 * hand), rewritten when readings come late, then read through the API role as one resident.
 */
describe('the resident ledger (real PostgreSQL)', () => {
  let database: TestDatabase;
  let owner: DataSource;
  let api: DataSource;
  let readings: ReadingRepository;
  let ledger: ResidentLedgerService;

  beforeAll(async () => {
    database = await createTestDatabase('ilot_ledger');
    owner = await openDatabase(database.url);
    readings = new ReadingRepository(owner);
    ledger = residentLedgerOn(SITE, owner);
    api = await openResidentDatabase(apiDatabaseUrl(database.url));
    await readings.insertBatch(ledgerReadings(SITE.id), new Date(T0 + 1_800_000));
  });

  afterAll(async () => {
    await api?.destroy();
    await owner?.destroy();
    await database?.drop();
  });

  const allocated = async () => {
    const rows: Array<{ participant_id: string; ts: Date; consumption_wh: number; allocated_wh: number }> =
      await owner.query(
        `SELECT participant_id, ts, consumption_wh, allocated_wh FROM participant_steps ORDER BY ts, participant_id`,
      );
    return rows.map((r) => [
      r.ts.toISOString().slice(11, 16),
      r.participant_id,
      r.consumption_wh,
      Math.round(r.allocated_wh * 100) / 100,
    ]);
  };

  it('writes each participant’s complete steps, the production shared pro rata to consumption', async () => {
    const run = await ledger.catchUp(new Date(T0 + 40 * 60_000));
    expect(run).toMatchObject({ from: new Date(T0), to: new Date(T0 + 1_800_000), steps: 5, months: ['2026-01'] });
    // 12:00: (5000 - 1000) W x 0.25 h = 1000 Wh shared among 250, 750 and 500 Wh. 12:15: 600 Wh among the two flats.
    expect(await allocated()).toEqual([
      ['12:00', 'flat-1', 250, 166.67],
      ['12:00', 'flat-2', 750, 500],
      ['12:00', 'shop-1', 500, 333.33],
      ['12:15', 'flat-1', 500, 300],
      ['12:15', 'flat-2', 500, 300],
    ]);
  });

  it('writes nothing new when asked again, and never a step still in progress', async () => {
    await ledger.catchUp(new Date(T0 + 40 * 60_000));
    expect(await allocated()).toHaveLength(5);
    // The 12:30 step has begun but is not complete: not written.
    await readings.insertBatch(quarter(SITE.id, 'm-1', T0 + 1_800_000, 1000).slice(0, 1), new Date(T0 + 1_801_000));
    await ledger.catchUp(new Date(T0 + 40 * 60_000));
    expect((await allocated()).map(([ts]) => ts)).not.toContain('12:30');
  });

  it('computes a step again when readings arrive late: the shop’s 12:15 quarter takes its share', async () => {
    await readings.insertBatch(quarter(SITE.id, 'm-3', T0 + 900_000, 1000), new Date(T0 + 50 * 60_000));
    await ledger.catchUp(new Date(T0 + 40 * 60_000));
    // 600 Wh among 500, 500 and 250 Wh.
    expect((await allocated()).filter(([ts]) => ts === '12:15')).toEqual([
      ['12:15', 'flat-1', 500, 240],
      ['12:15', 'flat-2', 500, 240],
      ['12:15', 'shop-1', 250, 120],
    ]);
  });

  it('keeps month totals, with similar homes only, anonymous', async () => {
    const months: Array<{ participant_id: string; consumption_kwh: number; peers_kwh: number[] }> = await owner.query(
      `SELECT participant_id, consumption_kwh, peers_kwh FROM participant_months WHERE month = '2026-01' ORDER BY participant_id`,
    );
    expect(months).toEqual([
      { participant_id: 'flat-1', consumption_kwh: 0.75, peers_kwh: [1.25] },
      { participant_id: 'flat-2', consumption_kwh: 1.25, peers_kwh: [0.75] },
      { participant_id: 'shop-1', consumption_kwh: 0.75, peers_kwh: [] },
    ]);
  });

  it('gives a resident their report through the API role, and nothing of another participant’s', async () => {
    const reports = new ResidentReportService(SITE, new ResidentLedgerRepository(api, await ViewerTickets.load(owner)));
    const own = (await reports.report({ role: 'resident', participantId: 'flat-1' }, 'flat-1', '2026-01'))!;
    expect(own.totals).toMatchObject({ consumptionKWh: 0.75, localKWh: 0.407 });
    expect(own.comparison.peers).toMatchObject({ count: 1, medianKWh: 1.25 });
    expect(own.dataUntil).toBe('2026-01-10T12:30:00.000Z');
    // Past the API's guard (a bug there): the database still returns nothing of flat-2 to flat-1.
    const other = (await reports.report({ role: 'resident', participantId: 'flat-1' }, 'flat-2', '2026-01'))!;
    expect(other.days).toEqual([]);
    expect(other.notes).toContain('no consumption recorded for 2026-01');
  });

  it('takes in a reading days late at its next run: ingestion marks the site, the ledger computes from there (issue 30 §1)', async () => {
    const day2 = T0 + 2 * 86_400_000;
    await readings.insertBatch(quarter(SITE.id, 'm-1', day2, 500), new Date(day2 + 900_000));
    await ledger.catchUp(new Date(day2 + 20 * 60_000)); // the first run for two days: deep
    expect(await new LedgerMarkRepository(owner).of(SITE.id)).toBeUndefined();
    // flat-2's meter sends its 12:30 quarter of two days ago, now.
    await readings.insertBatch(quarter(SITE.id, 'm-2', T0 + 1_800_000, 1200), new Date(day2 + 25 * 60_000));
    expect(await new LedgerMarkRepository(owner).of(SITE.id)).toMatchObject({ from: new Date(T0 + 1_800_000) });
    const flat2At1230 = async () =>
      (await allocated()).filter(([ts, participant]) => ts === '12:30' && participant === 'flat-2');
    expect(await flat2At1230()).toEqual([]);
    const run = await ledger.catchUp(new Date(day2 + 30 * 60_000)); // 10 minutes later, not a deep run
    expect(await flat2At1230()).toEqual([['12:30', 'flat-2', 300, 0]]);
    expect(run).toMatchObject({ from: new Date(T0 + 1_800_000) });
    expect(await new LedgerMarkRepository(owner).of(SITE.id)).toBeUndefined();
    // The next run computes only the last LEDGER_RECOMPUTE_MS again, not the days since the mark.
    expect(await ledger.catchUp(new Date(day2 + 35 * 60_000))).toMatchObject({
      from: new Date(day2 + 15 * 60_000 - LEDGER_RECOMPUTE_MS),
    });
  });

  it('marks a site only for late readings, from the earliest, and keeps a mark a batch moved after it was read', async () => {
    const marks = new LedgerMarkRepository(owner);
    const at = (minutes: number) => new Date(T0 + minutes * 60_000);
    await readings.insertBatch(quarter('another-site', 'm-1', T0, 100), at(30)); // on time
    expect(await marks.of('another-site')).toBeUndefined();
    await readings.insertBatch(quarter('another-site', 'm-1', T0 + 3_600_000, 100), at(180)); // 2 h late
    const read = (await marks.of('another-site'))!;
    expect(read.from).toEqual(at(60));
    // While the ledger computes, a batch later still but of an earlier step comes: the mark moves back, never forward.
    await readings.insertBatch(quarter('another-site', 'm-2', T0, 100), at(190));
    await readings.insertBatch(quarter('another-site', 'm-3', T0 + 7_200_000, 100), at(200));
    expect((await marks.of('another-site'))!.from).toEqual(at(0));
    await marks.clear('another-site', read);
    expect(await marks.of('another-site')).toMatchObject({ from: at(0) }); // kept: moved since it was read
    await marks.clear('another-site', (await marks.of('another-site'))!);
    expect(await marks.of('another-site')).toBeUndefined();
  });

  it('lets one process write a site’s ledger at a time: the job skips a round, a recompute waits its turn', async () => {
    const other = new Client({ connectionString: database.url }); // another metrics app, writing
    await other.connect();
    try {
      await other.query(`SELECT pg_advisory_lock(7110102, hashtext($1))`, [SITE.id]);
      const now = new Date(T0 + 2 * 86_400_000 + 3 * 3_600_000);
      expect(await ledger.catchUp(now)).toBe('busy');
      let recomputed = false;
      const recompute = ledger
        .recompute(new Date(T0), new Date(T0 + 900_000))
        .then((run) => ((recomputed = true), run));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(recomputed).toBe(false);
      await other.query(`SELECT pg_advisory_unlock(7110102, hashtext($1))`, [SITE.id]);
      expect(await recompute).toMatchObject({ steps: 3 });
      expect(await ledger.catchUp(now)).not.toBe('busy');
    } finally {
      await other.end();
    }
  });

  it('refuses to serve reports on a connection row-level security does not bind', async () => {
    await expect(openResidentDatabase(database.url)).rejects.toThrow(
      /a superuser, whom row-level security does not bind/,
    );
    const asApi = createDataSource(apiDatabaseUrl(database.url), 1);
    await asApi.initialize();
    expect(await asApi.query('SELECT current_user AS u')).toEqual([{ u: API_ROLE }]);
    await asApi.destroy();
  });

  it('keeps a participant’s data only as long as the 15-min aggregates it is made from: 36 whole local months', async () => {
    const months = async () =>
      (await owner.query(`SELECT DISTINCT month FROM participant_months ORDER BY month`)) as Array<{ month: string }>;
    await ledger.catchUp(new Date('2029-01-31T22:00:00Z')); // 2029-01 local: 36 months back is 2026-01, kept
    expect((await allocated()).length).toBeGreaterThan(0);
    expect(await months()).toEqual([{ month: '2026-01' }]);
    await ledger.catchUp(new Date('2029-02-01T00:00:00Z')); // 01:00 on 1 February in Paris: January 2026 goes
    expect(await allocated()).toEqual([]);
    expect(await months()).toEqual([]);
  });
});
