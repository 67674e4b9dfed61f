/**
 * npm run bench:ingest: how close the ingester comes to the broker's own delivery rate.
 * 1. the limit: one plain mqtt.js subscriber receiving the QoS 1 burst of P publishers;
 * 2. the ingester (built app, own process, real PostgreSQL) committing the same burst.
 * Prints both rates and their ratio, the p50/p99 lag (device ts to commit) and the ingester's peak RSS.
 * Env: ILOT_TEST_MQTT_URL (a broker configured like production), ILOT_TEST_DATABASE_URL, BENCH_MESSAGES, BENCH_PUBLISHERS.
 */
import { createTestDatabase } from '@ilot/timeseries/testing/test-database';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
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

const RECEIVE_MAXIMUM = Number(process.env.ILOT_INGEST_MAX_INFLIGHT ?? 2000);

/** Rate over a stream of arrivals, from the first observation to the last (what arrived by the first one is not counted). */
class RateMeter {
  private first: { ms: number; count: number } | undefined;
  private last = { ms: 0, count: 0 };
  /** `total` arrivals have been seen by now. */
  observe(total: number): void {
    const ms = performance.now();
    if (!this.first) this.first = { ms, count: total };
    if (total > this.last.count) this.last = { ms, count: total };
  }
  get count(): number {
    return this.last.count;
  }
  perSecond(): number {
    return (this.last.count - this.first!.count) / ((this.last.ms - this.first!.ms) / 1000);
  }
}

/** A plain mqtt.js subscriber with the ingester's session settings; `live`: subscribed during the burst; else it drains the burst queued in its session. */
async function rawSubscriberRate(siteId: string, live: boolean): Promise<number> {
  const options = {
    protocolVersion: 5 as const,
    clientId: `bench-raw-${siteId}`,
    clean: false,
    properties: { sessionExpiryInterval: 600, receiveMaximum: RECEIVE_MAXIMUM },
  };
  const meter = new RateMeter();
  // The handler goes on before CONNECT: a resumed session's queued messages can arrive with the CONNACK.
  const connect = async () => {
    const client = mqtt.connect(TEST_MQTT_URL, options);
    client.on('message', () => meter.observe(meter.count + 1));
    await new Promise((resolve, reject) => client.once('connect', resolve).once('error', reject));
    return client;
  };
  let subscriber = await connect();
  await subscriber.subscribeAsync(`ilot/v1/${siteId}/+/telemetry`, { qos: 1 });
  if (!live) await subscriber.endAsync();
  await burst(siteId, 0);
  if (!live) subscriber = await connect();
  await waitFor(`the raw subscriber (${live ? 'live' : 'backlog'}) to receive the burst`, async () => meter.count >= MESSAGES, 120_000, 20);
  await subscriber.endAsync();
  return meter.perSecond();
}

async function committedCount(db: Client, siteId: string): Promise<number> {
  return Number((await db.query('SELECT count(*) FROM readings WHERE site_id = $1', [siteId])).rows[0].count);
}

/** The ingester's commit rate: `live` while the publishers run; else draining the burst queued in its session while it was stopped. */
async function ingesterRate(ingester: IngesterProcess, db: Client, siteId: string, live: boolean): Promise<number> {
  await ingester.start();
  if (!live) {
    await ingester.stop();
    await burst(siteId, 1);
    await ingester.start();
  }
  const meter = new RateMeter();
  const publishing = live ? burst(siteId, 1) : Promise.resolve(0);
  await waitFor(
    'the ingester to commit the burst',
    async () => {
      ingester.assertRunning();
      const n = await committedCount(db, siteId);
      if (n > 0) meter.observe(n);
      return n >= MESSAGES;
    },
    300_000,
    5,
  );
  await publishing;
  return meter.perSecond();
}

async function main(): Promise<void> {
  const database = await createTestDatabase('ilot_bench');
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const results: Array<{ scenario: string; raw: number; ingest: number; lag?: { p50: number; p99: number }; rssMiB: number; lost: number }> = [];
  try {
    for (const live of [true, false]) {
      const { path: siteFile, siteId } = uniqueDemoSite(live ? 'benchlive' : 'benchdrain');
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
        const raw = await rawSubscriberRate(`${siteId}-raw`, live);
        const ingest = await ingesterRate(ingester, db, siteId, live);
        const lag = live
          ? (
              await db.query(
                `SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - ts)) * 1000 AS p50,
                        percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM received_at - ts)) * 1000 AS p99
                   FROM readings WHERE site_id = $1`,
                [siteId],
              )
            ).rows[0]
          : undefined;
        const rssKb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${ingester.pid}/status`, 'utf8'))?.[1]);
        const duplicates = Number(
          (await db.query('SELECT count(*) - count(DISTINCT (device_id, ts)) AS d FROM readings WHERE site_id = $1', [siteId])).rows[0].d,
        );
        if (duplicates !== 0) throw new Error(`${duplicates} duplicate rows stored`);
        results.push({
          scenario: live ? 'live: subscribed while the publishers send' : 'backlog: draining the burst queued in the session',
          raw,
          ingest,
          lag: lag && { p50: Number(lag.p50), p99: Number(lag.p99) },
          rssMiB: rssKb / 1024,
          lost: MESSAGES - (await committedCount(db, siteId)),
        });
      } finally {
        await ingester.stop();
      }
    }
  } finally {
    await db.end();
    await database.drop();
  }
  console.log(
    `bench:ingest  ${MESSAGES} QoS 1 telemetry messages from ${PUBLISHERS} publishers, broker ${TEST_MQTT_URL}, ${cpus().length} CPU cores shared by all`,
  );
  for (const r of results) {
    console.log(`  ${r.scenario}`);
    console.log(`    raw mqtt.js subscriber (the limit)   ${r.raw.toFixed(0)} msg/s`);
    console.log(`    ingester, committed to PostgreSQL    ${r.ingest.toFixed(0)} readings/s`);
    console.log(`    ratio ingester / raw                 ${(r.ingest / r.raw).toFixed(2)}  (target >= 0.9)`);
    if (r.lag) console.log(`    lag device ts -> commit              p50 ${r.lag.p50.toFixed(0)} ms, p99 ${r.lag.p99.toFixed(0)} ms`);
    console.log(`    ingester peak RSS                    ${r.rssMiB.toFixed(0)} MiB`);
    console.log(`    lost ${r.lost}, duplicate rows 0`);
  }
}

main().catch((error: Error) => {
  console.error(`bench:ingest: ${error.message}`);
  process.exit(1);
});
