import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { createDataSource, openDatabase } from './data-source';
import { API_ROLE, apiRoleProblem, asViewer, RESIDENT_TABLES, Viewer, VIEWER_TICKET_SETTING } from './resident-access';
import { LedgerStep, ResidentLedgerRepository } from './resident-ledger.repository';
import { ViewerTickets } from './viewer-tickets';
import { createTestDatabase, TestDatabase, TEST_SERVER_URL } from './testing/test-database';
import { startTimescaleTestServer } from './testing/timescale-database';

const JANUARY = {
  key: '2026-01',
  from: new Date('2025-12-31T23:00:00Z'),
  to: new Date('2026-01-31T23:00:00Z'),
  previousKey: '2025-12',
};
const steps = (participantId: string, wh: number): LedgerStep[] =>
  [0, 1, 2, 3].map((k) => ({
    participantId,
    ts: new Date(Date.UTC(2026, 0, 10, 12, 15 * k)),
    consumptionWh: wh,
    allocatedWh: wh / 2,
  }));
const ALICE: Viewer = { role: 'resident', participantId: 'flat-a' };
const OPERATOR: Viewer = { role: 'operator' };

/** As `url`'s database, with another user (and no password: trust on the test server). */
function asUser(url: string, user: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = '';
  return u.toString();
}

/** Fills the ledger of two sites as the operator's side does: site-1 has flat-a and flat-b, site-2 has a flat-a too. */
async function fill(db: DataSource): Promise<void> {
  const ledger = new ResidentLedgerRepository(db);
  await ledger.writeSteps('site-1', [...steps('flat-a', 100), ...steps('flat-b', 300)]);
  await ledger.writeSteps('site-2', steps('flat-a', 900));
  await ledger.writeMonths('site-1', [
    { participantId: 'flat-a', month: '2026-01', consumptionKWh: 0.4, peersKWh: [1.2] },
    { participantId: 'flat-b', month: '2026-01', consumptionKWh: 1.2, peersKWh: [0.4] },
  ]);
  await ledger.writeEffacements('site-1', [
    {
      participantId: 'flat-b',
      signalKey: 'order-1',
      startsAt: new Date('2026-01-10T17:00:00Z'),
      endsAt: new Date('2026-01-10T19:00:00Z'),
      deliveredWh: 500,
    },
  ]);
}

/**
 * The second lock on residents' data (ADR 0007): row-level security, FORCEd, on the resident ledger; the API's
 * role neither owns the tables nor is superuser; the viewer is set per transaction and nothing shows unset.
 */
describe('the resident ledger under row-level security (real PostgreSQL)', () => {
  let database: TestDatabase;
  let owner: DataSource;
  let api: DataSource;
  let tickets: ViewerTickets;

  beforeAll(async () => {
    database = await createTestDatabase('ilot_rls');
    owner = await openDatabase(database.url);
    await fill(owner);
    tickets = await ViewerTickets.load(owner);
    // One connection: a transaction's settings must not outlive it on a pooled connection.
    api = createDataSource(asUser(database.url, API_ROLE), 1);
    await api.initialize();
  });

  afterAll(async () => {
    await api?.destroy();
    await owner?.destroy();
    await database?.drop();
  });

  it('is FORCEd on every ledger table, with a policy', async () => {
    const rows: Array<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean; policies: string }> =
      await owner.query(
        `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, (SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) AS policies
         FROM pg_class c WHERE c.relname = ANY($1) ORDER BY c.relname`,
        [[...RESIDENT_TABLES]],
      );
    expect(rows.map((r) => [r.relname, r.relrowsecurity, r.relforcerowsecurity, Number(r.policies)])).toEqual(
      [...RESIDENT_TABLES].sort().map((t) => [t, true, true, 1]),
    );
  });

  it('connects the API as a role that is neither owner nor superuser; the owner (a superuser here) is refused', async () => {
    expect(await api.query('SELECT current_user AS u')).toEqual([{ u: API_ROLE }]);
    expect(await apiRoleProblem(api)).toBeUndefined();
    expect(await apiRoleProblem(owner)).toMatch(/superuser/);
  });

  it('shows nothing to a direct query as the API role without the setting: 0 rows in every table', async () => {
    for (const table of RESIDENT_TABLES)
      expect(await api.query(`SELECT count(*)::int AS n FROM ${table}`)).toEqual([{ n: 0 }]);
  });

  it('shows a resident their own rows only, whatever the query asks', async () => {
    const seen: Array<{ participant_id: string; n: number }> = await asViewer(api, tickets, 'site-1', ALICE, (m) =>
      m.query('SELECT participant_id, count(*)::int AS n FROM participant_steps GROUP BY participant_id'),
    );
    expect(seen).toEqual([{ participant_id: 'flat-a', n: 4 }]); // not flat-b, not site-2's flat-a
    const ledger = new ResidentLedgerRepository(api, tickets);
    const own = await ledger.participantMonth('site-1', ALICE, 'flat-a', JANUARY);
    expect(own.steps.map((s) => s.consumptionWh)).toEqual([100, 100, 100, 100]);
    expect(own.peersKWh).toEqual([1.2]);
    // The other resident's id: the API refuses it (403), and the database, asked anyway, returns nothing.
    const other = await ledger.participantMonth('site-1', ALICE, 'flat-b', JANUARY);
    expect(other).toEqual({ steps: [], peersKWh: [], previousMonthKWh: undefined, effacements: [] });
  });

  it('keeps a participant id to its own site', async () => {
    const ledger = new ResidentLedgerRepository(api, tickets);
    expect(
      (await ledger.participantMonth('site-2', ALICE, 'flat-a', JANUARY)).steps.map((s) => s.consumptionWh),
    ).toEqual([900, 900, 900, 900]);
    const crossSite: unknown[] = await asViewer(api, tickets, 'site-2', ALICE, (m) =>
      m.query(`SELECT * FROM participant_steps WHERE site_id = 'site-1'`),
    );
    expect(crossSite).toEqual([]);
  });

  it('shows the operator every participant of the site asked, and only that site', async () => {
    const seen: Array<{ site_id: string; participant_id: string }> = await asViewer(
      api,
      tickets,
      'site-1',
      OPERATOR,
      (m) => m.query('SELECT DISTINCT site_id, participant_id FROM participant_steps ORDER BY 1, 2'),
    );
    expect(seen).toEqual([
      { site_id: 'site-1', participant_id: 'flat-a' },
      { site_id: 'site-1', participant_id: 'flat-b' },
    ]);
    const bob = await new ResidentLedgerRepository(api, tickets).participantMonth(
      'site-1',
      OPERATOR,
      'flat-b',
      JANUARY,
    );
    expect(bob.effacements.map((e) => [e.signalKey, e.deliveredWh])).toEqual([['order-1', 500]]);
  });

  it('leaves nothing set on the pooled connection after a transaction', async () => {
    await asViewer(api, tickets, 'site-1', OPERATOR, (m) => m.query('SELECT 1'));
    expect(await api.query('SELECT count(*)::int AS n FROM participant_steps')).toEqual([{ n: 0 }]);
  });

  it('lets the API role write nothing and read nothing else', async () => {
    await expect(
      asViewer(api, tickets, 'site-1', ALICE, (m) => m.query(`DELETE FROM participant_steps`)),
    ).rejects.toThrow(/permission denied/);
    await expect(new ResidentLedgerRepository(api, tickets).writeSteps('site-1', steps('flat-a', 1))).rejects.toThrow(
      /permission denied/,
    );
    for (const table of ['readings', 'readings_15m', 'plans', 'commands', 'signals'])
      await expect(api.query(`SELECT 1 FROM ${table} LIMIT 1`)).rejects.toThrow(/permission denied/);
  });

  /**
   * Regression (issue 15): the policies read settings any role may set, so `ilot_api` alone (its password leaked, a
   * reports service taken over) read all 37 participants' rows with `set_config('ilot.role', 'operator', true)`.
   */
  it('shows nothing to someone holding only the API role, whatever they set or forge', async () => {
    const countAs = async (settings: Array<[string, string]>) => {
      const runner = api.createQueryRunner();
      try {
        await runner.startTransaction();
        for (const [name, value] of settings) await runner.query('SELECT set_config($1, $2, true)', [name, value]);
        const [{ n }] = await runner.query('SELECT count(*)::int AS n FROM participant_steps');
        await runner.rollbackTransaction();
        return n as number;
      } finally {
        await runner.release();
      }
    };
    // The old settings: no effect.
    expect(
      await countAs([
        ['ilot.site', 'site-1'],
        ['ilot.role', 'operator'],
        ['ilot.participant', 'flat-b'],
      ]),
    ).toBe(0);
    // A ticket with a made-up signature, a resident's ticket turned into the operator's, an expired one.
    const aliceTicket = tickets.ticket('site-1', ALICE, Date.now());
    const [payload, signature] = aliceTicket.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'hex').toString());
    const asOperator = Buffer.from(JSON.stringify({ ...claims, role: 'operator' })).toString('hex');
    const forged = [
      `${payload}.${'0'.repeat(64)}`,
      `${asOperator}.${signature}`,
      tickets.ticket('site-1', OPERATOR, Date.now() - 3_600_000),
      `${payload}.${signature}`.toUpperCase(),
      `${payload}`,
      "' OR 1=1 --",
    ];
    for (const ticket of forged) expect(await countAs([[VIEWER_TICKET_SETTING, ticket]])).toBe(0);
    // The genuine ticket, for comparison: Alice's own rows.
    expect(await countAs([[VIEWER_TICKET_SETTING, aliceTicket]])).toBe(4);
    // The key is not the API role's to read, nor to change.
    await expect(api.query('SELECT secret FROM viewer_ticket_key')).rejects.toThrow(/permission denied/);
    await expect(api.query(`UPDATE viewer_ticket_key SET secret = '\\x00'`)).rejects.toThrow(/permission denied/);
  });

  it('refuses a transaction that tries to become another role or to turn the policies off', async () => {
    // A resident transaction that tries to become the operator still runs as the API role: SET ROLE is refused.
    await expect(asViewer(api, tickets, 'site-1', ALICE, (m) => m.query('SET LOCAL ROLE postgres'))).rejects.toThrow(
      /permission denied/,
    );
    await expect(api.query('ALTER TABLE participant_steps DISABLE ROW LEVEL SECURITY')).rejects.toThrow(
      /must be owner/,
    );
  });
});

/** FORCE binds the owner too when it is not a superuser (as in production): unset, it sees and writes nothing. */
describe('the resident ledger owned by a role that is not superuser (real PostgreSQL)', () => {
  const ownerRole = `ilot_owner_${randomBytes(3).toString('hex')}`;
  const name = `ilot_rls_owner_${randomBytes(3).toString('hex')}`;
  let owner: DataSource;

  beforeAll(async () => {
    const admin = new Client({ connectionString: TEST_SERVER_URL });
    await admin.connect();
    await admin.query(`CREATE ROLE ${ownerRole} LOGIN NOSUPERUSER NOCREATEROLE`);
    await admin.query(`CREATE DATABASE ${name} OWNER ${ownerRole}`);
    await admin.end();
    const url = new URL(TEST_SERVER_URL);
    url.pathname = `/${name}`;
    owner = await openDatabase(asUser(url.toString(), ownerRole)); // the roles exist: its migrations only grant
    await fill(owner);
  });

  afterAll(async () => {
    await owner?.destroy();
    const admin = new Client({ connectionString: TEST_SERVER_URL });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`DROP ROLE IF EXISTS ${ownerRole}`);
    await admin.end();
  });

  it('shows the owner nothing without the setting, and refuses its writes', async () => {
    for (const table of RESIDENT_TABLES)
      expect(await owner.query(`SELECT count(*)::int AS n FROM ${table}`)).toEqual([{ n: 0 }]);
    await expect(
      owner.query(
        `INSERT INTO participant_steps (site_id, participant_id, ts, consumption_wh, allocated_wh) VALUES ('site-1', 'x', now(), 1, 0)`,
      ),
    ).rejects.toThrow(/row-level security/);
    expect(await apiRoleProblem(owner)).toMatch(/owns/);
  });

  it('lets the owner write and read as the operator', async () => {
    expect(await new ResidentLedgerRepository(owner).totalsKWh('site-1', JANUARY.from, JANUARY.to)).toEqual(
      new Map([
        ['flat-a', 0.4],
        ['flat-b', 1.2],
      ]),
    );
  });
});

/** The same policies on the TimescaleDB path (PGlite serves one user: the API role is taken with SET ROLE). */
describe('the resident ledger under row-level security (TimescaleDB 2.23, PGlite)', () => {
  let close: () => Promise<void>;
  let db: DataSource;

  beforeAll(async () => {
    const server = await startTimescaleTestServer();
    db = await openDatabase(server.url, 2);
    close = async () => (await db.destroy(), await server.stop());
    await fill(db);
  }, 120_000);

  afterAll(async () => close?.());

  it('filters by viewer ticket, and shows nothing unset or with the old settings', async () => {
    const tickets = await ViewerTickets.load(db);
    const runner = db.createQueryRunner();
    try {
      await runner.query(`SET ROLE ${API_ROLE}`);
      for (const table of RESIDENT_TABLES)
        expect(await runner.query(`SELECT count(*)::int AS n FROM ${table}`)).toEqual([{ n: 0 }]);
      await runner.startTransaction();
      await runner.query(
        `SELECT set_config('ilot.site', 'site-1', true), set_config('ilot.role', 'operator', true), set_config('ilot.participant', 'flat-a', true)`,
      );
      expect(await runner.query('SELECT count(*)::int AS n FROM participant_steps')).toEqual([{ n: 0 }]);
      await runner.query('SELECT set_config($1, $2, true)', [
        VIEWER_TICKET_SETTING,
        tickets.ticket('site-1', ALICE, Date.now()),
      ]);
      expect(await runner.query('SELECT DISTINCT participant_id FROM participant_steps')).toEqual([
        { participant_id: 'flat-a' },
      ]);
      await runner.commitTransaction();
      expect(await runner.query('SELECT count(*)::int AS n FROM participant_steps')).toEqual([{ n: 0 }]);
    } finally {
      await runner.query('RESET ROLE');
      await runner.release();
    }
  });
});
