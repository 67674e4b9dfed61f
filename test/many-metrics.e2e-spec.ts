import { signAccessToken } from '@ilot/residents';
import { quarter } from '@ilot/residents/testing/ledger-site';
import { generateSiteDocuments, gridDeviceId, siteFromDocument } from '@ilot/site';
import { openDatabase, ReadingRepository } from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AppProcess } from './support/app-process';
import { testPort, waitFor } from './support/services';

type Json = Record<string, any>;
const json = async (response: Response): Promise<Json> => (await response.json()) as Json;

const OPERATOR_TOKEN = 'fleet-operator-token-0123456789';
const SECRET = 'fleet-token-secret-0123456789abcdef0123';
const T0 = Date.parse('2026-01-10T12:00:00Z');

/**
 * Issue 14: the metrics app serves every îlot of ILOT_SITES_DIR, and two instances on the same database (behind one
 * load balancer) give the same answers: gauges labelled per site, reports, the operator of one îlot limited to it,
 * a site added to the folder served by both without a restart.
 */
describe('two metrics and two API instances serve every îlot of the folder alike', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ilot-metrics-fleet-'));
  const suffix = Math.random().toString(36).slice(2, 6);
  const documents = generateSiteDocuments(3, 23).map((document) => ({
    ...document,
    id: `${String(document.id)}-${suffix}`,
  }));
  const sites = documents.map((document) => siteFromDocument(document, 'test').site);
  const [first, second] = sites;
  let database: TestDatabase;
  /** The metrics app (gauges, ledger job) and the API app, two of each on one database. */
  const instances: AppProcess[] = [];
  const apis: AppProcess[] = [];

  beforeAll(async () => {
    for (const document of documents.slice(0, 2))
      writeFileSync(join(dir, `${String(document.id)}.yaml`), stringify(document));
    database = await createTestDatabase('ilot_metrics_fleet');
    const db = await openDatabase(database.url);
    // Each îlot its own grid power and one resident's meter, 12:00-12:15Z.
    const meterOf = (k: number) => sites[k].participants[0].meter;
    await new ReadingRepository(db).insertBatch(
      sites.flatMap((site, k) => [
        ...quarter(site.id, gridDeviceId(site), T0, 10_000 * (k + 1)),
        ...quarter(site.id, meterOf(k), T0, 500 * (k + 1)),
      ]),
      new Date(T0 + 900_000),
    );
    await db.destroy();
    const startReal = new Date().toISOString();
    for (let k = 0; k < 2; k++) {
      const env = {
        ILOT_MQTT_URL: 'mqtt://127.0.0.1:1',
        ILOT_DATABASE_URL: database.url,
        ILOT_SITES_DIR: dir,
        ILOT_SITES_POLL_S: '1',
        // One îlot clock for both: 12:16Z on the day of the readings when the test starts, wall-clock speed.
        ILOT_SIM_START: new Date(T0 + 16 * 60_000).toISOString(),
        ILOT_SIM_START_REAL: startReal,
        ILOT_OPERATOR_TOKEN: OPERATOR_TOKEN,
        ILOT_TOKEN_SECRET: SECRET,
        ILOT_LEDGER_INTERVAL_S: '1',
      };
      // One after the other: the first runs the migrations.
      const instance = new AppProcess('metrics', { ...env, ILOT_HTTP_PORT: String(testPort()) });
      await instance.start();
      instances.push(instance);
      const apiInstance = new AppProcess('api', { ...env, ILOT_HTTP_PORT: String(testPort()) });
      await apiInstance.start();
      apis.push(apiInstance);
    }
  }, 90_000);

  afterAll(async () => {
    await Promise.all([...instances, ...apis].map((instance) => instance.stop()));
    await database?.drop();
  }, 30_000);

  const api = (instance: AppProcess, path: string, token?: string, init: RequestInit = {}) =>
    fetch(`http://127.0.0.1:${instance.httpPort}/api/v1/sites${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
  const siteLines = async (instance: AppProcess, name: string) =>
    (await (await fetch(`http://127.0.0.1:${instance.httpPort}/metrics`)).text())
      .split('\n')
      .filter((line) => line.startsWith(`${name}{`))
      .sort();

  it('labels the gauges of every îlot with its own figures, the same on both instances', async () => {
    const expected = [first, second].map(
      (site, k) => `ilot_site_grid_power_watts{site="${site.id}"} ${10_000 * (k + 1)}`,
    );
    for (const instance of instances)
      expect(await siteLines(instance, 'ilot_site_grid_power_watts')).toEqual(expected.sort());
    // The îlots' own devices by name (their grid meters); their participants' meters only counted (issue 26).
    expect(await siteLines(instances[0], 'ilot_device_last_reading_age_seconds')).toHaveLength(2);
    expect(await siteLines(instances[0], 'ilot_participant_meters_silent')).toHaveLength(2);
  });

  it('serves every îlot’s resident reports, the same from both instances', async () => {
    const report = (instance: AppProcess, k: number) =>
      api(instance, `/${sites[k].id}/participants/${sites[k].participants[0].id}/report?month=2026-01`, OPERATOR_TOKEN);
    // Each instance's ledger job runs every second; one writes each site's ledger at a time.
    await waitFor(
      'the ledger of both îlots',
      async () => {
        const totals = await Promise.all([0, 1].map(async (k) => (await json(await report(apis[1], k))).totals));
        return totals.every((t) => t?.consumptionKWh > 0);
      },
      20_000,
    );
    for (const k of [0, 1]) {
      const [a, b] = await Promise.all(apis.map(async (instance) => json(await report(instance, k))));
      expect(a.totals.consumptionKWh).toBeCloseTo((500 * (k + 1)) / 4 / 1000, 6);
      expect(b).toEqual(a);
    }
    expect((await api(apis[0], `/unknown-${suffix}/schedule`, OPERATOR_TOKEN)).status).toBe(404);
  });

  it('limits the operator of one îlot to that îlot; the deployment’s operator sees them all', async () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const firstOperator = signAccessToken({ role: 'operator', site: first.id, exp }, SECRET);
    const tempo = (date: string) => ({ method: 'POST', body: JSON.stringify({ type: 'tempo', date, color: 'red' }) });
    expect((await api(apis[1], `/${first.id}/signals`, firstOperator, tempo('2026-01-11'))).status).toBe(201);
    const elsewhere = await api(apis[1], `/${second.id}/signals`, firstOperator, tempo('2026-01-11'));
    expect([elsewhere.status, (await json(elsewhere)).message]).toEqual([403, `this token is for site "${first.id}"`]);
    expect((await api(apis[0], `/${first.id}`, firstOperator)).status).toBe(200);
    expect((await api(apis[0], '', firstOperator)).status).toBe(403);
    expect((await api(apis[0], `/${first.id}`, firstOperator, { method: 'DELETE' })).status).toBe(403);
    expect((await api(apis[0], `/${second.id}/signals`, OPERATOR_TOKEN, tempo('2026-01-12'))).status).toBe(201);
    const listed = (await json(await api(apis[1], '', OPERATOR_TOKEN))).sites as Array<{ siteId: string }>;
    expect(listed.map((s) => s.siteId).sort()).toEqual([first.id, second.id].sort());
  });

  it('serves an îlot added to the folder on both instances without a restart', async () => {
    const third = documents[2];
    writeFileSync(join(dir, `${String(third.id)}.yaml`), stringify(third));
    await waitFor(
      'the third îlot on both instances',
      async () =>
        (await Promise.all(instances.map((i) => siteLines(i, 'ilot_site_grid_power_watts')))).every((lines) =>
          lines.includes(`ilot_site_grid_power_watts{site="${String(third.id)}"} 30000`),
        ),
      15_000,
    );
    [...instances, ...apis].forEach((instance) => instance.assertRunning());
  });
});
