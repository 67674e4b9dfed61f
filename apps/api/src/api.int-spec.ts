import 'reflect-metadata';
import type { INestApplication } from '@nestjs/common';
import { openDatabase, PvForecastRepository, SiteDefinitionRepository } from '@ilot/timeseries';
import { SiteCatalog } from '@ilot/runtime';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { startApiOnLedgerDay } from './testing/api-alone';
import { signAccessToken } from '@ilot/residents';
import { ledgerSite } from '@ilot/residents/testing/ledger-site';

const TOKEN = 'allocation-operator-token-0123';
const SECRET = 'metrics-api-token-secret-0123456789abcdef';
const SITE = ledgerSite('dynamic-custom', 'custom');

/**
 * The metrics app alone on real PostgreSQL, its clock at 12:40Z on the day of the readings: who may read what,
 * and custom allocation shares.
 */
describe('the metrics API (real PostgreSQL)', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    database = await createTestDatabase('ilot_shares');
    ({ app, base } = await startApiOnLedgerDay(SITE, database.url, { operator: TOKEN, secret: SECRET }));
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  /**
   * Custom allocation shares: stored, the residents' ledger computed again at once, and the reports follow.
   */
  describe('PUT /api/v1/sites/{site}/allocation/shares', () => {
    const put = (body: unknown, token: string | null = TOKEN) =>
      fetch(`${base}/allocation/shares`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    const localKWh = async (participant: string) => {
      const response = await fetch(`${base}/participants/${participant}/report?month=2026-01`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      return ((await response.json()) as { totals: { localKWh: number } }).totals.localKWh;
    };

    it('falls back on the default key for steps without shares, as Enedis does', async () => {
      // The first catch-up runs at start: 12:00 shares 1000 Wh pro rata (flat-1 167 Wh), 12:15 600 Wh between the flats.
      for (let i = 0; i < 50 && (await localKWh('flat-1')) === 0; i++) await new Promise((r) => setTimeout(r, 100));
      expect(await localKWh('flat-1')).toBeCloseTo(0.467, 3);
    });

    it('refuses shares without the operator’s token, and bad shares with every reason, storing nothing', async () => {
      expect((await put({ steps: [{ start: '2026-01-10T12:00:00Z', shares: { 'flat-1': 1 } }] }, null)).status).toBe(
        401,
      );
      const bad = await put({
        steps: [
          { start: '2026-01-10T12:00:00Z', shares: { 'flat-1': 0.7, 'flat-2': 0.7 } },
          { start: '2026-01-10T12:07:00Z', shares: { nobody: 1 } },
        ],
      });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { problems: string[] }).problems).toEqual([
        'steps[0].shares: shares sum to 1.4: must be at most 1',
        'steps[1].start: 2026-01-10T12:07:00Z is not the start of a 15-min step',
      ]);
      expect(await localKWh('flat-1')).toBeCloseTo(0.467, 3);
    });

    it('stores good shares and computes the residents’ steps again at once', async () => {
      const response = await put({
        steps: [{ start: '2026-01-10T13:00:00+01:00', shares: { 'flat-1': 0.5, 'shop-1': 0.5 } }],
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ steps: 1, recomputedSteps: 3 }); // the step given, for its three participants;
      // 12:00: flat-1 may take 500 Wh, used 250; flat-2 nothing. 12:15 (no shares): 300 Wh each, as before.
      expect(await localKWh('flat-1')).toBeCloseTo(0.55, 3);
      expect(await localKWh('flat-2')).toBeCloseTo(0.3, 3);
      // Given again, a step's shares replace the earlier ones whole.
      expect((await put({ steps: [{ start: '2026-01-10T12:00:00Z', shares: { 'flat-2': 1 } }] })).status).toBe(200);
      expect(await localKWh('flat-1')).toBeCloseTo(0.3, 3);
      expect(await localKWh('flat-2')).toBeCloseTo(1.05, 3);
    });
  });

  /** Issue 27 §6: an order says when the planner first takes it into account, and the signals to come are listed. */
  describe('effacement orders: when each is first planned', () => {
    const auth = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' };
    const order = (id: string, start: string, end: string) => ({
      type: 'effacement',
      id,
      start,
      end,
      reductionW: 5000,
    });

    it('answers an order with its first plan (at once within 48 h of its start, else 48 h before), and lists it', async () => {
      // The app's clock is at 2026-01-10T12:40Z.
      const tomorrow = await fetch(`${base}/signals`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify(order('o-tomorrow', '2026-01-11T17:00:00Z', '2026-01-11T19:00:00Z')),
      });
      expect(tomorrow.status).toBe(201);
      // Within 48 h: at the next plan, now (the clock runs from 12:40Z).
      const now = ((await tomorrow.json()) as { firstPlannedAt: string }).firstPlannedAt;
      expect(Date.parse(now)).toBeGreaterThanOrEqual(Date.parse('2026-01-10T12:40:00Z'));
      expect(Date.parse(now)).toBeLessThan(Date.parse('2026-01-10T12:45:00Z'));
      const later = await fetch(`${base}/signals`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify(order('o-later', '2026-01-13T17:00:00Z', '2026-01-13T19:00:00Z')),
      });
      expect(await later.json()).toMatchObject({ key: 'o-later', firstPlannedAt: '2026-01-11T17:00:00.000Z' });
      const listed = await fetch(`${base}/signals`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(listed.status).toBe(200);
      const { signals } = (await listed.json()) as { signals: Array<{ key: string; firstPlannedAt?: string }> };
      expect(signals.filter((x) => x.key.startsWith('o-')).map((x) => [x.key, x.firstPlannedAt])).toEqual([
        ['o-tomorrow', expect.stringMatching(/^2026-01-10T12:4/)],
        ['o-later', '2026-01-11T17:00:00.000Z'],
      ]);
      expect((await fetch(`${base}/signals`)).status).toBe(401);
    });
  });

  /** External PV forecasts over HTTP: the `forecast` topic's checks, stored where the planner reads them. */
  describe('POST /api/v1/sites/{site}/forecast', () => {
    const post = (body: unknown, token: string | null = TOKEN) =>
      fetch(`${base}/forecast`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    // The app's clock is at 12:40Z: a forecast issued at 12:30 for the next two hours.
    const forecast = {
      issuedAt: '2026-01-10T12:30:00Z',
      source: 'open-meteo',
      series: [
        { ts: '2026-01-10T13:00:00Z', pvW: 4200, device: 'pv-1' },
        { ts: '2026-01-10T14:00:00Z', pvW: 2100, device: 'pv-1' },
      ],
    };
    const newest = async () => {
      const db = await openDatabase(database.url);
      try {
        const from = new Date('2026-01-10T12:00:00Z');
        return await new PvForecastRepository(db).newest(SITE.id, from, from, new Date('2026-01-11T00:00:00Z'));
      } finally {
        await db.destroy();
      }
    };

    it('refuses it without the operator’s token, and a bad one with its field and reason, storing nothing', async () => {
      expect((await post(forecast, null)).status).toBe(401);
      const meter = await post({ ...forecast, series: [{ ts: '2026-01-10T13:00:00Z', pvW: 1, device: 'm-1' }] });
      expect(meter.status).toBe(400);
      expect(((await meter.json()) as { message: string }).message).toBe(
        'forecast refused: series.0.device: "m-1" is not a PV array of the site',
      );
      const future = await post({ ...forecast, issuedAt: '2026-01-10T13:00:00Z' });
      expect(future.status).toBe(400);
      expect(((await future.json()) as { message: string }).message).toMatch(/issuedAt: .* is after now/);
      const negative = await post({ ...forecast, series: [{ ts: '2026-01-10T13:00:00Z', pvW: -5 }] });
      expect(((await negative.json()) as { message: string }).message).toContain('series.0.pvW');
      expect(await newest()).toBeUndefined();
    });

    it('stores a good one where the planner reads it; the same issue again writes nothing twice', async () => {
      for (let i = 0; i < 2; i++) {
        const response = await post(forecast);
        expect(response.status).toBe(201);
        expect(await response.json()).toEqual({
          siteId: SITE.id,
          issuedAt: '2026-01-10T12:30:00.000Z',
          points: 2,
          from: '2026-01-10T13:00:00.000Z',
          to: '2026-01-10T14:00:00.000Z',
        });
      }
      const stored = await newest();
      expect(stored).toMatchObject({ issuedAt: new Date('2026-01-10T12:30:00Z'), source: 'open-meteo' });
      expect(stored!.points.map((p) => [p.deviceId, p.ts.toISOString(), p.pvW])).toEqual([
        ['pv-1', '2026-01-10T13:00:00.000Z', 4200],
        ['pv-1', '2026-01-10T14:00:00.000Z', 2100],
      ]);
    });
  });

  /** Sites as data (issue 14): stored through the API, seen by every instance's catalog without a restart. */
  describe('PUT/GET/DELETE /api/v1/sites/{siteId}', () => {
    const call = (method: string, path: string, body?: unknown, token: string | null = TOKEN) =>
      fetch(`${base.replace(`/sites/${SITE.id}`, '/sites')}${path}`, {
        method,
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const konstanz = parse(readFileSync(join(__dirname, '..', '..', '..', 'sites', 'konstanz-pair.yaml'), 'utf8'));
    const json = async (response: Response) => (await response.json()) as Record<string, unknown>;

    it('lists the sites served to the operator only', async () => {
      expect((await call('GET', '', undefined, null)).status).toBe(401);
      const listed = await json(await call('GET', ''));
      expect(listed).toEqual({
        sites: [expect.objectContaining({ siteId: SITE.id, devices: SITE.devices.size })],
        refused: [],
      });
    });

    it('refuses a bad site with every problem, an id not the path’s, and a site a file defines; stores nothing', async () => {
      const bad = await call('PUT', '/konstanz-pair', { ...konstanz, timezone: 'Mars/Olympus', participants: 3 });
      expect(bad.status).toBe(400);
      expect((await json(bad)).problems).toEqual([
        expect.stringMatching(/^timezone: /),
        expect.stringMatching(/^participants: /),
      ]);
      const other = await call('PUT', '/other-id', konstanz);
      expect(await json(other)).toMatchObject({
        problems: ['id: "konstanz-pair" is not the site of the path, "other-id"'],
      });
      const file = await call('PUT', `/${SITE.id}`, { ...konstanz, id: SITE.id });
      expect(file.status).toBe(409);
      expect((await json(file)).message).toMatch(new RegExp(`^site "${SITE.id}" is defined by `));
      expect((await call('DELETE', `/${SITE.id}`)).status).toBe(409);
      expect((await call('GET', '/konstanz-pair')).status).toBe(404);
    });

    it('stores a site (201, then 200 replacing it), which every instance’s catalog takes up, and removes it', async () => {
      const db = await openDatabase(database.url);
      // A second instance: its own catalog over the same database, no site file of its own.
      const elsewhere = new SiteCatalog(
        { dir: mkdtempSync(join(tmpdir(), 'ilot-no-sites-')) },
        new SiteDefinitionRepository(db),
      );
      try {
        await elsewhere.refresh();
        const created = await call('PUT', '/konstanz-pair', konstanz);
        expect(created.status).toBe(201);
        expect(await json(created)).toMatchObject({ siteId: 'konstanz-pair', created: true });
        const replaced = await call('PUT', '/konstanz-pair', { ...konstanz, name: 'Konstanz, renamed' });
        expect([replaced.status, (await json(replaced)).created]).toEqual([200, false]);
        expect(await json(await call('GET', '/konstanz-pair'))).toMatchObject({
          source: 'api',
          document: { id: 'konstanz-pair', name: 'Konstanz, renamed' },
        });
        const listed = (await json(await call('GET', ''))).sites as Array<{ siteId: string; source: string }>;
        expect(listed.map((s) => [s.siteId, s.source])).toContainEqual(['konstanz-pair', 'api:konstanz-pair']);
        // The other instance sees it at its next refresh, and a stored document that no longer validates is refused
        // there with its reason, the good one kept.
        await db.query(`INSERT INTO site_definitions VALUES ('broken', '{"id":"broken"}', 'x', now())`);
        const changes = await elsewhere.refresh();
        expect(changes.added.map((e) => e.site.name)).toEqual(['Konstanz, renamed']);
        expect(elsewhere.refused()).toEqual([
          { source: 'api:broken', problems: expect.arrayContaining([expect.stringMatching(/^name: /)]) },
        ]);
        expect((await call('DELETE', '/konstanz-pair')).status).toBe(204);
        expect((await call('DELETE', '/konstanz-pair')).status).toBe(404);
        expect((await elsewhere.refresh()).removed).toEqual(['konstanz-pair']);
      } finally {
        await db.query(`DELETE FROM site_definitions WHERE site_id = 'broken'`);
        await elsewhere.stop();
        await db.destroy();
      }
    });
  });

  /** Issue 15: what every answer carries, and bodies that are not JSON. */
  describe('HTTP hardening', () => {
    it('sends the security headers on every answer, and never X-Powered-By', async () => {
      for (const response of [
        await fetch(`${base}/schedule`, { headers: { authorization: `Bearer ${TOKEN}` } }),
        await fetch(`${base}/participants/flat-1/report?month=2026-01`),
        await fetch(`${base.replace(/\/api\/v1.*/, '')}/metrics`),
      ]) {
        expect(response.headers.get('x-powered-by')).toBeNull();
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
        expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      }
    });

    // Regression: form-encoded bodies were parsed and taken as the payload.
    it('refuses a body that is not JSON with 415 and the reason, storing nothing', async () => {
      const form = await fetch(`${base}/signals`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'type=tempo&date=2026-01-11&color=red',
      });
      expect(form.status).toBe(415);
      expect(((await form.json()) as { message: string }).message).toBe(
        'the body must be JSON (Content-Type: application/json), got "application/x-www-form-urlencoded"',
      );
      const json = await fetch(`${base}/signals`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'tempo', date: '2026-01-11', color: 'red' }),
      });
      expect(json.status).toBe(201);
    });

    // Regression (issue 15): bodies were parsed before authentication, so anyone could make the process read 4 MB.
    it('refuses an anonymous write before reading its body: 401 while the body is still coming', async () => {
      const url = new URL(`${base}/signals`);
      const answer = await new Promise<{ status: number; message: string }>((resolve, reject) => {
        const request = httpRequest(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            headers: { 'content-type': 'application/json' },
          },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => (text += chunk.toString()));
            response.on('end', () => {
              request.destroy(); // the body never ends: the connection goes with the answer
              resolve({ status: response.statusCode!, message: JSON.parse(text).message });
            });
          },
        );
        request.on('error', reject);
        request.write('{"type":"tempo",'); // and never the rest: a server that reads first never answers
        setTimeout(() => reject(new Error('no answer while the body was still coming')), 3000).unref();
      });
      expect(answer).toEqual({ status: 401, message: 'operator token required: Authorization: Bearer <token>' });
    });

    it('keeps every device’s readings out of shared caches', async () => {
      const range = 'from=2026-01-10T12:00:00Z&to=2026-01-10T13:00:00Z';
      for (const device of ['m-1&bucket=1d', 'pv-1']) {
        const answer = await fetch(`${base}/readings?device=${device}&${range}`, {
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(answer.status).toBe(200);
        expect(answer.headers.get('cache-control')).toBe('private, no-store');
      }
    });
  });

  describe('who may read what', () => {
    const readings = (device: string, token?: string) =>
      fetch(`${base}/readings?device=${device}&from=2026-01-10T12:00:00Z&to=2026-01-10T13:00:00Z`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
    const exp = Date.now() / 1000 + 600;
    const flat1 = signAccessToken({ role: 'resident', site: SITE.id, participant: 'flat-1', exp }, SECRET);
    const flat2 = signAccessToken({ role: 'resident', site: SITE.id, participant: 'flat-2', exp }, SECRET);

    // flat-1 consented to their detailed curve (privacy.int-spec.ts: without it, daily values only).
    beforeAll(async () => {
      const consent = await fetch(`${base}/participants/flat-1/consent`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${flat1}` },
        body: JSON.stringify({ detailedCurve: true }),
      });
      expect(consent.status).toBe(200);
    });

    // Regression (issue 25): the grid meter, PV and batteries answered anyone, and with them the homes' summed curve.
    it('serves the îlot’s shared devices to its operator only, a participant’s meter to its resident and the operator', async () => {
      const pv = await readings('pv-1', TOKEN);
      expect(pv.status).toBe(200);
      expect(((await pv.json()) as { readings: unknown[] }).readings).toHaveLength(6);
      for (const device of ['pv-1', 'grid']) {
        const refused = await readings(device);
        expect(refused.status).toBe(401);
        expect(((await refused.json()) as { message: string }).message).toBe(
          "token required: the site's operator or viewer",
        );
        const resident = await readings(device, flat1);
        expect(resident.status).toBe(403);
        expect(((await resident.json()) as { message: string }).message).toBe(
          `a resident sees only their own meter, not "${device}"`,
        );
      }
      const anonymous = await readings('m-1');
      expect(anonymous.status).toBe(401);
      expect(((await anonymous.json()) as { message: string }).message).toBe(
        "\"m-1\" is a participant's meter: token required (the operator's, or that resident's)",
      );
      const own = await readings('m-1', flat1);
      expect(own.status).toBe(200);
      expect(((await own.json()) as { readings: Array<{ powerW: number }> }).readings.map((r) => r.powerW)).toEqual([
        1000, 1000, 1000, 2000, 2000, 2000,
      ]);
      expect((await readings('m-1', flat2)).status).toBe(403);
      expect((await readings('m-1', TOKEN)).status).toBe(200);
      expect((await readings('m-1', 'not-the-operator-token')).status).toBe(401);
    });

    // Regression (issue 15): a signed operator token in a URL opened every resident's data.
    it('takes a resident’s own signed token from the URL, never an operator’s', async () => {
      const inUrl = (token: string) =>
        fetch(`${base}/readings?device=m-1&from=2026-01-10T12:00:00Z&to=2026-01-10T13:00:00Z&access_token=${token}`);
      expect((await inUrl(flat1)).status).toBe(200);
      const operator = signAccessToken({ role: 'operator', site: SITE.id, exp }, SECRET);
      const refused = await inUrl(operator);
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { message: string }).message).toBe(
        'an operator token is never taken from the URL: send it in Authorization: Bearer',
      );
      expect((await readings('m-1', operator)).status).toBe(200);
      expect((await inUrl(TOKEN)).status).toBe(401);
    });

    it('serves an effacement report, which lists every participant, to the operator only', async () => {
      expect((await fetch(`${base}/effacements/no-order/report`)).status).toBe(401);
      expect(
        (await fetch(`${base}/effacements/no-order/report`, { headers: { authorization: `Bearer ${flat1}` } })).status,
      ).toBe(403);
      expect(
        (await fetch(`${base}/effacements/no-order/report`, { headers: { authorization: `Bearer ${TOKEN}` } })).status,
      ).toBe(404);
    });
  });

  // Regression (probe of the running îlot): 41 answers of 7 causes were 500s. Each is a 4xx with its reason now.
  describe('hostile requests: a 4xx with a reason, never a 500', () => {
    const asOperator = { headers: { authorization: `Bearer ${TOKEN}` } };
    const nullClaims = `v1.${Buffer.from('null').toString('base64url')}`;
    it.each([
      [
        'a prototype key as bucket',
        '/readings?device=pv-1&from=2026-01-10T12:00:00Z&to=2026-01-10T13:00:00Z&bucket=__proto__',
        400,
      ],
      [
        'constructor as bucket',
        '/readings?device=pv-1&from=2026-01-10T12:00:00Z&to=2026-01-10T13:00:00Z&bucket=constructor',
        400,
      ],
      [
        'an instant PostgreSQL cannot hold',
        '/readings?device=pv-1&from=-271821-04-20T00:00:00Z&to=2026-01-10T13:00:00Z',
        400,
      ],
      ['an instant in year 9999', '/readings?device=pv-1&from=2026-01-10T12:00:00Z&to=9999-12-31T00:00:00Z', 400],
      ['a NUL byte in a device id', '/readings?device=pv%00&from=2026-01-10T12:00:00Z&to=2026-01-10T13:00:00Z', 404],
      ['month 0000-01', '/participants/flat-1/report?month=0000-01', 400],
      ['month 9999-12', '/participants/flat-1/report?month=9999-12', 400],
      ['a NUL byte in a participant id', '/participants/flat%00/report?month=2026-01', 404],
      ['a NUL byte in an order id', '/effacements/o%00/report', 404],
    ])('%s', async (_what, path, status) => {
      const response = await fetch(`${base}${path}`, asOperator);
      expect(response.status).toBe(status);
      expect(((await response.json()) as { message: string }).message.length).toBeGreaterThan(0);
    });

    it('a token whose signed claims are null', async () => {
      const { createHmac } = await import('node:crypto');
      const body = nullClaims.split('.')[1];
      const token = `${nullClaims}.${createHmac('sha256', SECRET).update(`v1.${body}`).digest('base64url')}`;
      const response = await fetch(`${base}/participants/flat-1/report?month=2026-01`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(401);
      expect(((await response.json()) as { message: string }).message).toBe('token not valid: bad claims');
    });
  });
});
