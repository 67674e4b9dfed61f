import { ScaledClock } from '@ilot/domain';
import { SimulatorRunner } from '@ilot/simulators';
import { generateSiteDocuments, validateSite } from '@ilot/site';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { resendUnmatched, TELEMETRY_RESEND } from '@ilot/mqtt';
import mqtt from 'mqtt';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { stringify } from 'yaml';
import { AppProcess } from '../support/app-process';
import { MosquittoProcess } from '../support/mosquitto-process';
import { expectOnePlannerAtATime, plansWithLeases } from '../support/plans';
import { startSimulators } from '../support/simulators';
import { testPort, waitFor } from '../support/services';

const SITES = 4;
const SPEEDUP = 30;
const SLOT_REAL_MS = (15 * 60_000) / SPEEDUP;
const BURST = 20_000;
const PUBLISHERS = 4;

/**
 * Issue 14: Mosquitto restarted mid-burst (persistence on, as deploy/mosquitto configures it) under a small fleet: 4
 * simulated îlots, 2 ingesters sharing the subscription, 2 planners sharing the sites by leases, all on a broker of the
 * test's own. The burst's readings are all stored, none twice (what the ingesters' sessions held comes back from the
 * broker's persistence; what the publishers had in flight they send again), and the planners go on planning every
 * site, one at a time.
 */
describe(`Mosquitto restarted in the middle of a ${BURST}-message burst`, () => {
  const tag = randomBytes(3).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'ilot-broker-restart-'));
  const sites = generateSiteDocuments(SITES, 9).map((document) => {
    const id = `${String(document.id)}-${tag}`;
    writeFileSync(join(dir, `${id}.yaml`), stringify({ ...document, id }));
    return validateSite({ ...document, id });
  });
  const simStart = '2026-06-17T06:00:00Z';
  const simStartReal = new Date(Date.now() + 5000).toISOString();
  const clock = new ScaledClock(Date.parse(simStartReal), Date.parse(simStart), SPEEDUP);
  const broker = new MosquittoProcess();
  let database: TestDatabase;
  let db: Client;
  const apps: AppProcess[] = [];
  const runners: SimulatorRunner[] = [];

  beforeAll(async () => {
    await broker.start();
    database = await createTestDatabase('ilot_broker_restart');
    const shared = () => ({
      ILOT_MQTT_URL: broker.url,
      ILOT_DATABASE_URL: database.url,
      ILOT_SITES_DIR: dir,
      ILOT_SPEEDUP: String(SPEEDUP),
      ILOT_SIM_START: simStart,
      ILOT_SIM_START_REAL: simStartReal,
      ILOT_HTTP_PORT: String(testPort()),
    });
    for (const n of [1, 2])
      apps.push(
        new AppProcess('ingestion', {
          ...shared(),
          ILOT_INGEST_CLIENT_ID: `restart-${tag}-${n}`,
          ILOT_INGEST_SHARE_GROUP: `restart-${tag}`,
        }),
      );
    for (const name of ['a', 'b'])
      apps.push(new AppProcess('optimiser', { ...shared(), ILOT_PLANNER_ID: `planner-${name}` }));
    for (const app of apps) await app.start();
    runners.push(...(await startSimulators(sites, clock, broker.url)));
    db = new Client({ connectionString: database.url });
    await db.connect();
  }, 180_000);

  afterAll(async () => {
    for (const runner of runners) await runner.stop();
    await db?.end();
    for (const app of apps) await app.stop();
    await broker.stop();
    await database?.drop();
  }, 120_000);

  const plans = () => plansWithLeases(db);

  it('stores every reading of the burst once, and every site goes on being planned by one planner at a time', async () => {
    await waitFor(
      'a plan for every site',
      async () => new Set((await plans()).map((p) => p.site_id)).size === SITES,
      60_000,
    );
    // Each publisher a device gateway with a session of its own: what it has not had acknowledged, it sends again.
    const publishers = await Promise.all(
      Array.from({ length: PUBLISHERS }, (_, n) =>
        mqtt.connectAsync(broker.url, { protocolVersion: 5, clientId: `burst-${tag}-${n}`, reconnectPeriod: 200 }),
      ),
    );
    // Each a controller as docs/controller-guide.md asks: a reading nobody was subscribed to is sent again.
    const resends = publishers.map((client) => resendUnmatched(client, { topics: () => true, ...TELEMETRY_RESEND }));
    const meterOf = sites.map((site) => [...site.devices.values()].find((d) => d.kind === 'meter')!.id);
    const baseMs = Date.parse(simStart) - 2 * 86_400_000;
    let published = 0;
    const publishSlice = async (client: mqtt.MqttClient, from: number) => {
      const inFlight: Promise<unknown>[] = [];
      for (let k = from; k < BURST; k += PUBLISHERS) {
        const s = k % SITES;
        const ts = new Date(baseMs + Math.floor(k / SITES) * 1000).toISOString();
        inFlight.push(
          client
            .publishAsync(
              `ilot/v1/${sites[s].id}/${meterOf[s]}/telemetry`,
              JSON.stringify({ ts, seq: k, powerW: 300 }),
              {
                qos: 1,
              },
            )
            .then(() => published++),
        );
        if (inFlight.length >= 100) await Promise.all(inFlight.splice(0));
      }
      await Promise.all(inFlight);
    };
    const burst = Promise.all(publishers.map((client, n) => publishSlice(client, n)));
    await waitFor('a third of the burst', async () => published >= BURST / 3, 60_000, 20);
    const publishedAtStop = published;
    await broker.stop();
    const stoppedAt = clock.now(); // the îlot's (simulated) time, as the plans' generated_at
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await broker.start();
    await burst;
    // A reading acknowledged "no matching subscribers" is not delivered yet: the controllers stay until none waits.
    await waitFor(
      'no reading waiting to be sent again',
      async () => resends.every((r) => r().waiting === 0),
      30_000,
      50,
    );
    await Promise.all(publishers.map((client) => client.endAsync()));

    const count = async () =>
      (
        await db.query(
          `SELECT count(*)::int AS n, count(DISTINCT (site_id, device_id, ts))::int AS distinct_n FROM readings
            WHERE site_id = ANY($1) AND ts < $2`,
          [sites.map((s) => s.id), new Date(Date.parse(simStart) - 86_400_000).toISOString()],
        )
      ).rows[0] as { n: number; distinct_n: number };
    await waitFor(
      'every reading of the burst stored',
      async () => (await count()).distinct_n >= BURST,
      120_000,
      250,
    ).catch(() => undefined);
    const { n, distinct_n } = await count();
    // The planners: every site planned again after the restart, within a slot and a half; never two at once.
    await waitFor(
      'a plan for every site after the restart',
      async () =>
        new Set((await plans()).filter((p) => p.generated_at > stoppedAt).map((p) => p.site_id)).size === SITES,
      1.5 * SLOT_REAL_MS,
    );
    const rows = await plans();
    console.log(
      [
        `broker stopped (SIGTERM) after ${publishedAtStop} of ${BURST} published, restarted 1 s later`,
        `stored ${n}, distinct ${distinct_n}: lost = ${BURST - distinct_n}, duplicate rows = ${n - distinct_n}`,
        `sent again after a PUBACK "no matching subscribers": ${resends.reduce((sum, r) => sum + r().resent, 0)}, given up: ${resends.reduce((sum, r) => sum + r().givenUp, 0)}`,
        `plans: ${rows.length}, holders after the restart: ${[...new Set(rows.filter((p) => p.generated_at > stoppedAt).map((p) => p.holder))].join(', ')}`,
      ].join('\n'),
    );
    expect([n, distinct_n]).toEqual([BURST, BURST]);
    expect((await db.query('SELECT count(*)::int AS n FROM rejected_messages')).rows[0].n).toBe(0);
    expect(publishedAtStop).toBeLessThan(BURST);
    expectOnePlannerAtATime(rows);
    for (const app of apps) app.assertRunning();
  }, 300_000);
});
