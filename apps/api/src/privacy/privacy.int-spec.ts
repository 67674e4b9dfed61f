import type { INestApplication } from '@nestjs/common';
import { signAccessToken } from '@ilot/residents';
import { ledgerSite, T0 } from '@ilot/residents/testing/ledger-site';
import { asViewer, openDatabase, PrivacyRepository, ResidentLedgerRepository, ViewerTickets } from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import type { DataSource } from 'typeorm';
import { PrivacyRetention } from '@ilot/residents';
import { startApiOnLedgerDay } from '../testing/api-alone';

const TOKEN = 'privacy-operator-token-0123456789';
const SECRET = 'privacy-token-secret-0123456789abcdef';
const SITE = ledgerSite('dynamic-default', 'privacy');
const RANGE = 'from=2026-01-10T12:00:00Z&to=2026-01-10T13:00:00Z';

/** Issue 15: consent, its withdrawal, the export and the access log, on the metrics app and real PostgreSQL. */
describe('residents’ control of their data (real PostgreSQL)', () => {
  let database: TestDatabase;
  let db: DataSource;
  let app: INestApplication;
  let base: string;
  const exp = Date.now() / 1000 + 600;
  const flat2 = signAccessToken({ role: 'resident', site: SITE.id, participant: 'flat-2', exp }, SECRET);
  const flat1 = signAccessToken({ role: 'resident', site: SITE.id, participant: 'flat-1', exp }, SECRET);
  const call = (path: string, token: string, init: RequestInit = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
    });
  const consent = (token: string, body: unknown) =>
    call('/participants/flat-2/consent', token, { method: 'PUT', body: JSON.stringify(body) });
  const meter = (token: string, bucket?: string) =>
    call(`/readings?device=m-2&${RANGE}${bucket ? `&bucket=${bucket}` : ''}`, token);

  beforeAll(async () => {
    database = await createTestDatabase('ilot_privacy');
    db = await openDatabase(database.url);
    ({ app, base } = await startApiOnLedgerDay(SITE, database.url, { operator: TOKEN, secret: SECRET }));
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await db?.destroy();
    await database?.drop();
  });

  it('shows a meter’s curve only with its resident’s consent, daily values without; withdrawal takes effect at once', async () => {
    const refused = await meter(flat2);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { message: string }).message).toBe(
      '"m-2" is flat-2\'s meter: without their consent to the detailed curve, only daily values (bucket=1d)',
    );
    expect((await meter(TOKEN, '15m')).status).toBe(403); // the operator alike
    expect((await meter(flat2, '1d')).status).toBe(200);
    const given = await consent(flat2, { detailedCurve: true });
    expect(given.status).toBe(200);
    expect(await given.json()).toMatchObject({
      detailedCurve: true,
      history: [{ scope: 'detailed_curve', granted: true, givenBy: 'resident', how: 'resident page' }],
    });
    expect((await meter(flat2)).status).toBe(200);
    expect((await meter(TOKEN, '15m')).status).toBe(200);
    const withdrawn = (await (await consent(flat2, { detailedCurve: false })).json()) as {
      detailedCurve: boolean;
      history: Array<{ granted: boolean }>;
    };
    expect(withdrawn.detailedCurve).toBe(false);
    expect(withdrawn.history.map((c) => c.granted)).toEqual([false, true]);
    expect((await meter(flat2)).status).toBe(403);
  });

  it('takes a consent only from the resident, or from the operator saying how it was given', async () => {
    expect((await consent(flat1, { detailedCurve: true })).status).toBe(403);
    const unsaid = await consent(TOKEN, { detailedCurve: true });
    expect(unsaid.status).toBe(400);
    expect(((await unsaid.json()) as { message: string }).message).toBe(
      'consent refused: how: the operator records a consent only with how it was given',
    );
    const bad = await consent(flat2, { detailedCurve: 'yes', extra: 1 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { message: string }).message).toMatch(/^consent refused: .*detailedCurve/);
    const paper = await consent(TOKEN, { detailedCurve: true, how: 'paper form signed 2026-11-20' });
    const recorded = (await paper.json()) as { detailedCurve: boolean; history: unknown[] };
    expect(recorded.detailedCurve).toBe(true);
    expect(recorded.history[0]).toMatchObject({ givenBy: 'operator', how: 'paper form signed 2026-11-20' });
    await consent(flat2, { detailedCurve: false });
  });

  it('exports everything held about the resident, at the step they consented to, as JSON and CSV', async () => {
    let data: { months: unknown[] } = { months: [] };
    for (let i = 0; i < 50 && data.months.length === 0; i++) {
      const response = await call('/participants/flat-2/export', flat2);
      expect(response.status).toBe(200);
      expect(response.headers.get('cache-control')).toBe('private, no-store');
      expect(response.headers.get('content-disposition')).toBe(
        'attachment; filename="ilot-privacy-flat-2-export.json"',
      );
      data = (await response.json()) as typeof data;
      if (data.months.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(data).toMatchObject({ participantId: 'flat-2', meter: 'm-2', readingsStep: '1d' });
    const full = data as unknown as {
      consents: unknown[];
      accessLog: Array<{ what: string }>;
      months: Array<{ month: string }>;
    };
    expect(full.months.map((m) => m.month)).toEqual(['2026-01']);
    expect(full.consents.length).toBeGreaterThanOrEqual(4);
    expect(full.accessLog.map((a) => a.what)).toContain('meter readings (1d)');
    await consent(flat2, { detailedCurve: true });
    const csv = await call('/participants/flat-2/export?format=csv', flat2);
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe('ts,power_w');
    expect(lines.length).toBeGreaterThan(2); // 15-minute steps now
    expect((await call('/participants/flat-2/export', flat1)).status).toBe(403);
  });

  it('logs every read of personal data for the operator, append-only', async () => {
    const log = await call('/access-log?participant=flat-2', TOKEN);
    expect(log.headers.get('cache-control')).toBe('private, no-store');
    const entries = (
      (await log.json()) as { entries: Array<{ viewerRole: string; viewerId: string; route: string; what: string }> }
    ).entries;
    expect(entries[0]).toMatchObject({
      viewerRole: 'resident',
      viewerId: 'flat-2',
      route: 'GET /api/v1/sites/:siteId/participants/:participantId/export',
      what: 'export (csv)',
    });
    expect(entries.some((e) => e.viewerRole === 'operator' && e.what === 'meter readings (15m)')).toBe(true);
    expect((await call('/access-log', flat2)).status).toBe(403);
    await expect(db.query('DELETE FROM personal_data_access')).rejects.toThrow(/append-only/);
    await expect(db.query('UPDATE participant_consents SET granted = true')).rejects.toThrow(/append-only/);
  });

  it('deletes the raw readings of a meter without consent past the operation window, at the next run', async () => {
    const privacy = new PrivacyRepository(db);
    const count = async (meterId: string) =>
      (await db.query(`SELECT count(*)::int AS n FROM readings WHERE device_id = $1`, [meterId]))[0].n as number;
    const before = { m1: await count('m-1'), m2: await count('m-2'), m3: await count('m-3') };
    expect(before.m1).toBeGreaterThan(0);
    // A run 9 days after the readings: flat-2 consents (the test before), flat-1 never did.
    const deleted = await new PrivacyRetention(privacy).apply([SITE], new Date(T0 + 9 * 86_400_000));
    expect(deleted.get(SITE.id)).toBe(before.m1 + before.m3);
    expect(await count('m-1')).toBe(0);
    expect(await count('m-2')).toBe(before.m2);
    // The allocation's basis stays: the 15-minute aggregate of m-1.
    const quarter = await db.query(`SELECT count(*)::int AS n FROM readings_15m WHERE device_id = 'm-1'`);
    expect(quarter[0].n).toBeGreaterThan(0);
    await consent(flat2, { detailedCurve: false });
    await new PrivacyRetention(privacy).apply([SITE], new Date(T0 + 9 * 86_400_000));
    expect(await count('m-2')).toBe(0);
  });

  it('erases a participant who left by pseudonym: no row names them, the îlot’s totals and the others’ reports unchanged', async () => {
    // flat-9 took part, then left the site (its file no longer names them): their rows are still held.
    const ledger = new ResidentLedgerRepository(db);
    await ledger.writeSteps(SITE.id, [
      { participantId: 'flat-9', ts: new Date(T0 - 86_400_000), consumptionWh: 700, allocatedWh: 300 },
    ]);
    await ledger.writeMonths(SITE.id, [
      { participantId: 'flat-9', month: '2025-12', consumptionKWh: 0.7, peersKWh: [] },
    ]);
    const privacy = new PrivacyRepository(db);
    await privacy.recordConsent(SITE.id, 'flat-9', {
      scope: 'detailed_curve',
      granted: true,
      at: new Date(),
      givenBy: 'resident',
      how: 'resident page',
    });
    await privacy.logAccess(SITE.id, {
      at: new Date(),
      participantId: 'flat-9',
      viewerRole: 'resident',
      viewerId: 'flat-9',
      route: 'GET /report',
      what: 'report',
    });
    const tickets = await ViewerTickets.load(db);
    const totals = () =>
      asViewer(db, tickets, SITE.id, { role: 'operator' }, (m) =>
        m.query(
          `SELECT sum(consumption_wh) AS consumption, sum(allocated_wh) AS allocated, count(*)::int AS n FROM participant_steps WHERE site_id = $1`,
          [SITE.id],
        ),
      );
    const report = async () => (await call('/participants/flat-1/report?month=2026-01', TOKEN)).json();
    const before = { totals: await totals(), flat1: await report() };
    expect(before.totals[0].n).toBeGreaterThan(1);

    const stillThere = await call('/participants/flat-1/erasure', TOKEN, { method: 'POST' });
    expect(stillThere.status).toBe(409);
    expect((await call('/participants/flat-9/erasure', flat1, { method: 'POST' })).status).toBe(403);
    const erased = await call('/participants/flat-9/erasure', TOKEN, { method: 'POST' });
    expect(erased.status).toBe(200);
    expect(await erased.json()).toEqual({
      siteId: SITE.id,
      erased: 'flat-9',
      rows: {
        participant_steps: 1,
        participant_months: 1,
        participant_effacements: 0,
        participant_commodity_hours: 0,
        participant_commodity_months: 0,
        participant_consents: 1,
        personal_data_access: 1,
        allocation_shares: 0,
        acc_distributor_steps: 0,
        acc_reconciliations: 0,
        acc_key_files: 0,
      },
      invoicesKept: 0,
    });
    expect(await totals()).toEqual(before.totals);
    expect(await report()).toEqual(before.flat1);
    // No row of any table names them any more (the ledger read as the owner, every site).
    for (const [table, column] of [
      ['participant_steps', 'participant_id'],
      ['participant_months', 'participant_id'],
      ['participant_consents', 'participant_id'],
      ['personal_data_access', 'participant_id'],
      ['personal_data_access', 'viewer_id'],
    ])
      expect(
        await asViewer(db, tickets, SITE.id, { role: 'operator' }, (m) =>
          m.query(`SELECT count(*)::int AS n FROM ${table} WHERE ${column} = 'flat-9'`),
        ),
      ).toEqual([{ n: 0 }]);
    const [record] = await db.query('SELECT pseudonym, rows FROM participant_erasures');
    expect(record).toMatchObject({ rows: 4 });
    expect(record.pseudonym).toMatch(/^former-[0-9a-f]{12}$/);
    expect((await call('/participants/flat-9/erasure', TOKEN, { method: 'POST' })).status).toBe(404);
    // Still append-only outside an erasure.
    await expect(db.query(`UPDATE participant_consents SET participant_id = 'x'`)).rejects.toThrow(/append-only/);
  });

  // Issue 26: no token could be revoked, and a participant id is the flat: an old resident's link opened the next one's.
  it("revokes a participant's tokens at a move-out: the old link opens nothing, the next resident's does", async () => {
    const report = (token: string) => call('/participants/flat-1/report?month=2026-01', token);
    expect((await report(flat1)).status).toBe(200);
    expect((await call('/participants/flat-1/tokens/revoke', flat1, { method: 'POST' })).status).toBe(403);
    const revoked = await call('/participants/flat-1/tokens/revoke', TOKEN, { method: 'POST' });
    expect(revoked.status).toBe(200);
    const { revokedBefore } = (await revoked.json()) as { revokedBefore: string };
    const refused = await report(flat1);
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { message: string }).message).toBe(
      `this link was revoked on ${revokedBefore} (flat-1's tokens): ask the operator for a new one`,
    );
    // The next resident's link, signed after, opens; the neighbour's tokens were never touched.
    const next = signAccessToken({ role: 'resident', site: SITE.id, participant: 'flat-1', exp }, SECRET);
    expect((await report(next)).status).toBe(200);
    expect((await call('/participants/flat-2/consent', flat2)).status).toBe(200);
    expect((await call('/participants/nobody/tokens/revoke', TOKEN, { method: 'POST' })).status).toBe(404);
  });
});
