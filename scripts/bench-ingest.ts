/**
 * npm run bench:ingest: how close the ingester comes to the broker's own delivery rate.
 * 1. the limit: one plain mqtt.js subscriber receiving the QoS 1 burst of P publishers;
 * 2. the ingester (built app, own process, real PostgreSQL) committing the same burst.
 * Prints both rates and their ratio, the p50/p99 lag (device ts to commit) and the ingester's peak RSS.
 * Env: ILOT_TEST_MQTT_URL (a broker configured like production), ILOT_TEST_DATABASE_URL, BENCH_MESSAGES, BENCH_PUBLISHERS.
 */
import { createTestDatabase } from '@ilot/timeseries/testing/test-database';
import { readFileSync } from 'node:fs';
import mqtt from 'mqtt';
import { Client } from 'pg';
import { IngesterProcess } from '../test/support/ingester-process';
import { TEST_MQTT_URL, uniqueDemoSite, waitFor } from '../test/support/services';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const PUBLISHERS = Number(process.env.BENCH_PUBLISHERS ?? 4);
// The 34 flat meters of the demo site.
const METERS = [
  ...Array.from({ length: 18 }, (_, i) => `m-a-${Math.floor(i / 3) + 1}0${(i % 3) + 1}`),
  ...Array.from({ length: 16 }, (_, i) => `m-b-${Math.floor(i / 4) + 1}0${(i % 4) + 1}`),
];

const lastTsMs = new Map<string, number>();

/** Unique (device, ts) per message: the publish time, nudged 1 ms past the device's previous reading (storage keeps ms). */
function payload(k: number): [string, string] {
  const device = METERS[k % METERS.length];
  const tsMs = Math.max(Date.now(), (lastTsMs.get(device) ?? 0) + 1);
  lastTsMs.set(device, tsMs);
  return [device, JSON.stringify({ ts: new Date(tsMs).toISOString(), seq: k, powerW: 500 + (k % 100) })];
}

async function burst(siteId: string, tag: number): Promise<number> {
  const clients = await Promise.all(Array.from({ length: PUBLISHERS }, () => mqtt.connectAsync(TEST_MQTT_URL, { protocolVersion: 5 })));
  const started = performance.now();
  await Promise.all(
    clients.map(async (client, p) => {
      const inFlight: Promise<unknown>[] = [];
      for (let k = p; k < MESSAGES; k += PUBLISHERS) {
        const [device, body] = payload(k + tag * MESSAGES);
        inFlight.push(client.publishAsync(`ilot/v1/${siteId}/${device}/telemetry`, body, { qos: 1 }));
        if (inFlight.length >= 500) await Promise.all(inFlight.splice(0));
      }
      await Promise.all(inFlight);
    }),
  );
  await Promise.all(clients.map((c) => c.endAsync()));
  return performance.now() - started;
}

async function rawSubscriberRate(siteId: string): Promise<number> {
  const subscriber = await mqtt.connectAsync(TEST_MQTT_URL, { protocolVersion: 5, clean: true });
  let received = 0;
  let first = 0;
  let last = 0;
  subscriber.on('message', () => {
    if (received === 0) first = performance.now();
    received++;
    last = performance.now();
  });
  await subscriber.subscribeAsync(`ilot/v1/${siteId}/+/telemetry`, { qos: 1 });
  await burst(siteId, 0);
  await waitFor('the raw subscriber to receive the burst', async () => received >= MESSAGES, 120_000, 20);
  await subscriber.endAsync();
  return received / ((last - first) / 1000);
}

async function main(): Promise<void> {
  const { path: siteFile, siteId } = uniqueDemoSite('bench');
  const database = await createTestDatabase('ilot_bench');
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const ingester = new IngesterProcess({
    ILOT_MQTT_URL: TEST_MQTT_URL,
    ILOT_DATABASE_URL: database.url,
    ILOT_SITE_FILE: siteFile,
    ILOT_HTTP_PORT: String(30_000 + Math.floor(Math.random() * 5000)),
    ILOT_INGEST_CLIENT_ID: `bench-${siteId}`,
    // Ingestion settings under test pass through (ILOT_INGEST_MAX_INFLIGHT, ILOT_INGEST_BATCH_SIZE, ...).
    ...Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[0].startsWith('ILOT_INGEST_') && e[1] !== undefined)),
  });
  try {
    const rawRate = await rawSubscriberRate(`${siteId}-raw`);
    await ingester.start();
    const started = performance.now();
    let firstCommitted = 0;
    const publishing = burst(siteId, 1);
    await waitFor(
      'the ingester to commit the burst',
      async () => {
        const n = Number((await db.query('SELECT count(*) FROM readings WHERE site_id = $1', [siteId])).rows[0].count);
        if (n > 0 && !firstCommitted) firstCommitted = performance.now();
        if (process.env.BENCH_DEBUG) console.error(`committed ${n}`);
        return n >= MESSAGES;
      },
      300_000,
      5,
    );
    const committedMs = performance.now() - started;
    await publishing;
    const ingestRate = MESSAGES / (committedMs / 1000);
    const lag = (
      await db.query(
        `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - ts)) * 1000 AS p50,
                percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - ts)) * 1000 AS p99
           FROM readings WHERE site_id = $1`,
        [siteId],
      )
    ).rows[0];
    const rssKb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${ingester.pid}/status`, 'utf8'))?.[1]);
    const stored = Number((await db.query('SELECT count(*) FROM readings WHERE site_id = $1', [siteId])).rows[0].count);
    console.log(`bench:ingest  ${MESSAGES} QoS 1 telemetry messages from ${PUBLISHERS} publishers, broker ${TEST_MQTT_URL}`);
    console.log(`  raw mqtt.js subscriber (the limit)   ${rawRate.toFixed(0)} msg/s`);
    console.log(`  ingester, committed to PostgreSQL    ${ingestRate.toFixed(0)} readings/s`);
    console.log(`  ratio ingester / raw                 ${(ingestRate / rawRate).toFixed(2)}  (target >= 0.9)`);
    console.log(`  lag device ts -> commit              p50 ${Number(lag.p50).toFixed(0)} ms, p99 ${Number(lag.p99).toFixed(0)} ms`);
    console.log(`  ingester peak RSS                    ${(rssKb / 1024).toFixed(0)} MiB`);
    console.log(`  stored ${stored} of ${MESSAGES} (lost ${MESSAGES - stored})`);
  } finally {
    await ingester.stop();
    await db.end();
    await database.drop();
  }
}

main().catch((error: Error) => {
  console.error(`bench:ingest: ${error.message}`);
  process.exit(1);
});
