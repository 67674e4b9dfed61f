import type { INestApplication } from '@nestjs/common';
import { signAccessToken } from '@ilot/residents';
import { loadSiteFile } from '@ilot/site';
import { ProfileTable, simulateAccMonth, simulatedDistributorFile } from '@ilot/simulators';
import { openDatabase, ReadingRepository } from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { join } from 'node:path';
import { startApiAlone } from '../testing/api-alone';

const SITE = loadSiteFile(join(__dirname, '..', '..', '..', '..', 'sites', 'acc-demo.yaml'));
const OPERATOR = 'acc-operator-token-0123456789abcdef';
const SECRET = 'acc-token-secret-0123456789abcdef0123456789';

/** Issue 29 §6: the PMO's month through the operator API, on the real PostgreSQL (the demo's November simulated). */
describe('the ACC routes of the API', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;
  const world = simulateAccMonth(SITE, ProfileTable.load(), '2026-11', { sampleMinutes: 15 });
  const call = (method: string, path: string, body?: string, token = OPERATOR) =>
    fetch(`${base}/acc/${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token === 'json' ? OPERATOR : token}`,
        ...(body ? { 'content-type': token === 'json' ? 'application/json' : 'text/csv' } : {}),
      },
      body,
    });

  beforeAll(async () => {
    database = await createTestDatabase('ilot_acc_api');
    const db = await openDatabase(database.url);
    for (let i = 0; i < world.readings.length; i += 20_000)
      await new ReadingRepository(db).insertBatch(
        world.readings.slice(i, i + 20_000),
        new Date('2026-12-01T00:00:00Z'),
      );
    await db.destroy();
    ({ app, base } = await startApiAlone(SITE, {
      ILOT_DATABASE_URL: database.url,
      ILOT_SIM_START: '2026-12-02T08:00:00Z',
      ILOT_SIM_START_REAL: new Date().toISOString(),
      ILOT_OPERATOR_TOKEN: OPERATOR,
      ILOT_TOKEN_SECRET: SECRET,
    }));
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  it('writes the key file, imports the distributor file built on it, reconciles to no difference, and serves it again', async () => {
    const keys = await call('POST', '2026-11/keys');
    expect(keys.status).toBe(200);
    const written = (await keys.json()) as { files: Array<{ fileName: string; text: string; sha256: string }> };
    expect(written).toMatchObject({ files: [{ fileName: 'cles-acc-demo-2026-11.csv' }], steps: 2880 });
    expect(written.files[0].sha256).toMatch(/^[0-9a-f]{64}$/);
    const file = simulatedDistributorFile(SITE, '2026-11', world.measured, written.files);
    if (!file.ok) throw new Error(file.problems.join('; '));
    const imported = await call('PUT', '2026-11/distributor-data', file.value);
    expect(imported.status).toBe(200);
    expect(await imported.json()).toMatchObject({ rows: 32736, pointsAbsent: [] });
    const reconciled = await call('POST', '2026-11/reconciliation');
    expect(reconciled.status).toBe(200);
    const body = (await reconciled.json()) as { flagged: number; lines: Array<{ differenceWh: number }> };
    expect(body.flagged).toBe(0);
    expect(body.lines).toHaveLength(24);
    expect(body.lines.every((l) => l.differenceWh === 0)).toBe(true);
    const stored = await call('GET', '2026-11/reconciliation');
    expect(stored.status).toBe(200);
    expect(await stored.json()).toMatchObject({ flagged: 0, lines: body.lines });
  }, 60_000);

  it("issues the month's invoices; each resident lists and downloads their own only, on their page too", async () => {
    const origin = base.replace(/\/api\/v1\/sites\/.*$/, '');
    const op = (method: string, path: string, body?: unknown) =>
      fetch(`${base}/${path}`, {
        method,
        headers: { authorization: `Bearer ${OPERATOR}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
    const issued = await op('POST', 'acc/2026-11/invoices');
    expect(issued.status).toBe(200);
    const { issued: documents } = (await issued.json()) as {
      issued: Array<{ number: string; participantId: string; facturx: boolean }>;
    };
    expect(documents).toHaveLength(10);
    expect((await (await op('POST', 'acc/2026-11/invoices')).json()) as object).toMatchObject({ issued: [] });
    const exp = Math.floor(Date.now() / 1000) + 3600;
    const b1 = signAccessToken({ role: 'resident', site: SITE.id, participant: 'b-1', exp }, SECRET);
    const asB1 = (path: string) => fetch(`${base}/${path}`, { headers: { authorization: `Bearer ${b1}` } });
    const own = (await (await asB1('participants/b-1/invoices')).json()) as { documents: Array<{ number: string }> };
    const b1Number = documents.find((d) => d.participantId === 'b-1')!.number;
    expect(own.documents.map((d) => d.number)).toEqual([b1Number]);
    expect((await asB1('participants/bakery/invoices')).status).toBe(403);
    const bakeryNumber = documents.find((d) => d.participantId === 'bakery')!.number;
    // Another's invoice through one's own participant path: not found (row-level security), never served.
    expect((await asB1(`participants/b-1/invoices/${bakeryNumber}`)).status).toBe(404);
    const pdf = await asB1(`participants/b-1/invoices/${b1Number}`);
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(
      Buffer.from(await pdf.arrayBuffer())
        .subarray(0, 5)
        .toString(),
    ).toBe('%PDF-');
    const xml = await op('GET', `participants/bakery/invoices/${bakeryNumber}?format=xml`);
    expect(await xml.text()).toContain('<ram:TypeCode>380</ram:TypeCode>');
    const page = await fetch(`${origin}/api/v1/sites/${SITE.id}/participants/b-1/report?month=2026-11&format=html`, {
      headers: { authorization: `Bearer ${b1}` },
    });
    const html = await page.text();
    expect(html).toContain('Vos factures');
    expect(html).toContain(`href="invoices/${b1Number}"`);
    expect(html).not.toContain(bakeryNumber);
    const credit = await op('POST', `acc/invoices/${b1Number}/credit-note`, { reason: 'index contesté' });
    expect(credit.status).toBe(200);
    expect(await credit.json()).toMatchObject({ kind: 'credit-note', corrects: b1Number });
    const statements = (await (await op('GET', 'acc/2026-11/statements')).json()) as { statements: unknown[] };
    expect(statements.statements).toHaveLength(2);
    const csv = await (await op('GET', 'acc/2026-11/accounting')).text();
    expect(csv.trimEnd().split('\n')).toHaveLength(1 + 11);
  }, 60_000);

  it.each<[string, string, string, string | undefined, string | undefined, number, RegExp]>([
    [
      'a file with a bad cell',
      'PUT',
      '2026-11/distributor-data',
      'Horodate;Identifiant PRM;Type;Energie totale (Wh);Energie autoconsommée (Wh);Complément ou surplus (Wh)\n2026-11-02T12:00:00+01:00;30000000000101;CONSOMMATEUR;-3;0;0\n',
      undefined,
      400,
      /line 2: Energie totale \(Wh\) "-3" is not whole Wh >= 0/,
    ],
    [
      'a PRM not of the operation',
      'PUT',
      '2026-11/distributor-data',
      'Horodate;Identifiant PRM;Type;Energie totale (Wh);Energie autoconsommée (Wh);Complément ou surplus (Wh)\n2026-11-02T12:00:00+01:00;30000000000999;CONSOMMATEUR;3;0;3\n',
      undefined,
      400,
      /30000000000999: not a delivery point of site "acc-demo"/,
    ],
    ['an empty body', 'PUT', '2026-11/distributor-data', undefined, undefined, 400, /the body is empty/],
    ['a month that is not one', 'POST', '2026-13/keys', undefined, undefined, 400, /month "2026-13": expected YYYY-MM/],
    [
      'a month never imported',
      'POST',
      '2026-10/reconciliation',
      undefined,
      undefined,
      409,
      /no distributor data imported for 2026-10/,
    ],
    [
      'no reconciliation stored',
      'GET',
      '2026-09/reconciliation',
      undefined,
      undefined,
      404,
      /no reconciliation of 2026-09/,
    ],
    ['no operator token', 'POST', '2026-11/keys', undefined, 'not-a-token', 401, /./],
    ['JSON where the CSV file goes', 'PUT', '2026-11/distributor-data', '{}', 'json', 415, /the body must be CSV/],
  ])('refuses %s, precisely', async (_name, method, path, body, token, status, reason) => {
    const response = await call(method, path, body, token);
    expect(response.status).toBe(status);
    const answer = (await response.json()) as { message: string; problems?: string[] };
    expect([answer.message, ...(answer.problems ?? [])].join('\n')).toMatch(reason);
  });
});
