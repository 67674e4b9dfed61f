import mqtt from 'mqtt';
import { Client } from 'pg';
import type { IngesterProcess } from '../support/app-process';
import { IngesterFixture, startIngesterFixture } from '../support/ingester-fixture';
import { waitFor } from '../support/services';

const MESSAGES = Number(process.env.ILOT_FAULT_MESSAGES ?? 100_000);
const PUBLISHERS = 4;

/**
 * kill -9 the ingester in the middle of a QoS 1 burst, restart it: every reading is stored once.
 * Runs against the broker configured like production (persistent sessions, deep queues).
 */
describe(`ingester killed (-9) during a ${MESSAGES}-message QoS 1 burst`, () => {
  let fixture: IngesterFixture;
  let db: Client;
  let siteId: string;
  let ingester: IngesterProcess;

  beforeAll(async () => {
    fixture = await startIngesterFixture('fault');
    ({ siteId, ingester } = fixture);
    db = new Client({ connectionString: fixture.database.url });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await fixture?.tearDown();
  });

  // Regression: a resumed session delivers its queue right after CONNACK; messages that arrived before the
  // handler was attached were acknowledged by mqtt.js and lost (38k of 100k). The handler now attaches first.
  it('loses nothing and stores nothing twice', async () => {
    const meters = Array.from({ length: 34 }, (_, i) => i).map((i) =>
      i < 18
        ? `m-a-${Math.floor(i / 3) + 1}0${(i % 3) + 1}`
        : `m-b-${Math.floor((i - 18) / 4) + 1}0${((i - 18) % 4) + 1}`,
    );
    const baseMs = Date.now() - 3 * 3_600_000;
    const publishers = await Promise.all(
      Array.from({ length: PUBLISHERS }, () => mqtt.connectAsync(fixture.broker.url, { protocolVersion: 5 })),
    );
    let published = 0;
    const publishSlice = async (client: mqtt.MqttClient, from: number) => {
      const inFlight: Promise<unknown>[] = [];
      for (let k = from; k < MESSAGES; k += PUBLISHERS) {
        const device = meters[k % meters.length];
        const ts = new Date(baseMs + Math.floor(k / meters.length) * 100).toISOString();
        inFlight.push(
          client
            .publishAsync(
              `ilot/v1/${siteId}/${device}/telemetry`,
              JSON.stringify({ ts, seq: k, powerW: 100 + (k % 50) }),
              { qos: 1 },
            )
            .then(() => published++),
        );
        if (inFlight.length >= 200) await Promise.all(inFlight.splice(0));
      }
      await Promise.all(inFlight);
    };
    const started = Date.now();
    const burst = Promise.all(publishers.map((client, i) => publishSlice(client, i)));

    await waitFor('a third of the burst', async () => published >= MESSAGES / 3, 120_000, 20);
    const storedAtKill = Number(
      (await db.query(`SELECT count(*) FROM readings WHERE site_id = $1`, [siteId])).rows[0].count,
    );
    await ingester.kill9();
    const publishedAtKill = published;
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await ingester.start();

    await burst;
    const publishSeconds = (Date.now() - started) / 1000;
    await Promise.all(publishers.map((client) => client.endAsync()));
    const stored = await waitFor(
      'every reading stored',
      async () => {
        const n = Number((await db.query(`SELECT count(*) FROM readings WHERE site_id = $1`, [siteId])).rows[0].count);
        return n >= MESSAGES && n;
      },
      180_000,
      250,
    ).catch(async () =>
      Number((await db.query(`SELECT count(*) FROM readings WHERE site_id = $1`, [siteId])).rows[0].count),
    );
    const distinct = Number(
      (await db.query(`SELECT count(DISTINCT seq) FROM readings WHERE site_id = $1`, [siteId])).rows[0].count,
    );
    const redeliveredDuplicates = await ingester.metric(`ilot_ingest_duplicates_total{site="${siteId}"}`);
    const rejected = Number((await db.query(`SELECT count(*) FROM rejected_messages`)).rows[0].count);

    console.log(
      [
        `burst: ${MESSAGES} QoS 1 messages from ${PUBLISHERS} publishers in ${publishSeconds.toFixed(1)} s`,
        `killed -9 after ${publishedAtKill} published, ${storedAtKill} stored; restarted 1 s later`,
        `stored ${stored}, distinct ${distinct}: lost = ${MESSAGES - distinct}, duplicate rows = ${stored - distinct}`,
        `redelivered after the restart and counted as duplicates (not stored): ${redeliveredDuplicates}; rejected: ${rejected}`,
      ].join('\n'),
    );
    expect(rejected).toBe(0);
    expect(stored - distinct).toBe(0);
    expect(MESSAGES - distinct).toBe(0);
    expect(storedAtKill).toBeLessThan(MESSAGES);
  }, 400_000);
});
