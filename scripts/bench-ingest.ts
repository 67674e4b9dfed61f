/**
 * npm run bench:ingest: how close the ingester comes to the broker's own delivery rate.
 * 1. the limit: one plain mqtt.js subscriber receiving the QoS 1 burst of P publishers;
 * 2. the ingester (built app, own process, real PostgreSQL) committing the same burst.
 * Prints both rates and their ratio, the p50/p99 lag (publish to the write of its batch), the ingester's peak RSS, and the CPU each
 * party (publishers and raw subscriber in this process, broker, PostgreSQL, ingester) spent per 1000 messages.
 * Env: ILOT_TEST_MQTT_URL (a broker configured like production), ILOT_TEST_DATABASE_URL, BENCH_MESSAGES, BENCH_PUBLISHERS,
 * BENCH_INGESTER_NODE_ARGS (node options for the ingester).
 */
import { createTestDatabase } from '@ilot/timeseries/testing/test-database';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import mqtt from 'mqtt';
import { Client } from 'pg';
import { IngesterProcess } from '../test/support/app-process';
import { cpuSecondsOfCommand, cpuSecondsOfPid, machineBusySeconds } from './process-cpu';
import { TEST_MQTT_URL, testPort, uniqueDemoSite, waitFor } from '../test/support/services';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 100_000);
const PUBLISHERS = Number(process.env.BENCH_PUBLISHERS ?? 4);
// The 34 flat meters of the demo site.
const METERS = [
  ...Array.from({ length: 18 }, (_, i) => `m-a-${Math.floor(i / 3) + 1}0${(i % 3) + 1}`),
  ...Array.from({ length: 16 }, (_, i) => `m-b-${Math.floor(i / 4) + 1}0${(i % 4) + 1}`),
];

const lastTsMs = new Map<string, number>();
/** When each message was published, by its seq: at these rates a device's ts runs ahead of the clock (1 ms apart), so lag is measured from here. */
const publishedAtMs: number[] = [];

/** Unique (device, ts) per message: the publish time, nudged 1 ms past the device's previous reading (storage keeps ms). */
function payload(k: number): [string, string] {
  const device = METERS[k % METERS.length];
  const nowMs = Date.now();
  const tsMs = Math.max(nowMs, (lastTsMs.get(device) ?? 0) + 1);
  lastTsMs.set(device, tsMs);
  publishedAtMs[k] = nowMs;
  return [device, JSON.stringify({ ts: new Date(tsMs).toISOString(), seq: k, powerW: 500 + (k % 100) })];
}

async function burst(siteId: string, tag: number): Promise<number> {
  const clients = await Promise.all(
    Array.from({ length: PUBLISHERS }, () => mqtt.connectAsync(TEST_MQTT_URL, { protocolVersion: 5 })),
  );
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
async function rawSubscriberRate(siteId: string, live: boolean): Promise<{ rate: number; cpu: CpuFigures }> {
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
  const cpu = new CpuAccount(() => undefined);
  await burst(siteId, 0);
  if (!live) {
    cpu.start();
    subscriber = await connect();
  }
  await waitFor(
    `the raw subscriber (${live ? 'live' : 'backlog'}) to receive the burst`,
    async () => meter.count >= MESSAGES,
    120_000,
    20,
  );
  const figures = cpu.perThousand(MESSAGES);
  await subscriber.endAsync();
  return { rate: meter.perSecond(), cpu: figures };
}

/** p50 and p99 of received_at (when the ingester wrote the batch) minus when the bench published the message. */
async function lagFromPublish(db: Client, siteId: string): Promise<{ p50: number; p99: number }> {
  const rows: Array<{ seq: number; received_ms: number }> = (
    await db.query(
      'SELECT seq, extract(epoch FROM received_at) * 1000 AS received_ms FROM readings WHERE site_id = $1',
      [siteId],
    )
  ).rows;
  const lags = rows.map((r) => Number(r.received_ms) - publishedAtMs[Number(r.seq)]).sort((a, b) => a - b);
  return { p50: lags[Math.floor(lags.length * 0.5)], p99: lags[Math.floor(lags.length * 0.99)] };
}

async function committedCount(db: Client, siteId: string): Promise<number> {
  return Number((await db.query('SELECT count(*) FROM readings WHERE site_id = $1', [siteId])).rows[0].count);
}

/**
 * The same count, polled every few ms while the ingester runs: read from the rollup table the insert statement keeps
 * (a few rows) rather than counting `readings`, whose scan grew to a core of its own and slowed the ingester it measured.
 */
async function committedSoFar(db: Client, siteId: string): Promise<number> {
  return Number(
    (await db.query('SELECT coalesce(sum(samples), 0) AS n FROM readings_15m WHERE site_id = $1', [siteId])).rows[0].n,
  );
}

/** CPU seconds used by each party since `start()`, to show where a 2-core machine's time goes. */
class CpuAccount {
  private startedAt = this.sample();
  constructor(private readonly ingesterPid: () => number | undefined) {}
  private sample() {
    const pid = this.ingesterPid?.();
    const own = process.cpuUsage();
    return {
      wallS: performance.now() / 1000,
      machine: machineBusySeconds(),
      bench: (own.user + own.system) / 1e6,
      broker: cpuSecondsOfCommand('mosquitto'),
      postgres: cpuSecondsOfCommand('postgres'),
      ingester: pid ? cpuSecondsOfPid(pid) : 0,
    };
  }
  start(): void {
    this.startedAt = this.sample();
  }
  /** CPU ms per 1000 messages of each party, and the machine's busy cores over the span. */
  perThousand(messages: number): Record<'bench' | 'broker' | 'postgres' | 'ingester', number> & { busyCores: number } {
    const end = this.sample();
    const per = (key: 'bench' | 'broker' | 'postgres' | 'ingester') =>
      ((end[key] - this.startedAt[key]) * 1000 * 1000) / messages;
    return {
      bench: per('bench'),
      broker: per('broker'),
      postgres: per('postgres'),
      ingester: per('ingester'),
      busyCores: (end.machine - this.startedAt.machine) / (end.wallS - this.startedAt.wallS),
    };
  }
}
type CpuFigures = ReturnType<CpuAccount['perThousand']>;

/**
 * The most any ingester could commit here if it cost no more CPU than the raw subscriber: the machine's cores divided
 * by what everyone else spent per message in the ingester run (publishers, broker, PostgreSQL) plus the subscriber's own
 * cost (the bench process's CPU in the raw run less in the ingester run, where it only polled).
 */
function cpuCeiling(raw: CpuFigures, ingest: CpuFigures): number {
  const subscriberMs = Math.max(raw.bench - ingest.bench, 0);
  return (cpus().length * 1000 * 1000) / (ingest.bench + ingest.broker + ingest.postgres + subscriberMs);
}

/** The ingester's commit rate: `live` while the publishers run; else draining the burst queued in its session while it was stopped. */
async function ingesterRate(
  ingester: IngesterProcess,
  db: Client,
  siteId: string,
  live: boolean,
): Promise<{ rate: number; cpu: CpuFigures }> {
  await ingester.start();
  if (!live) {
    await ingester.stop();
    await burst(siteId, 1);
    await ingester.start();
  }
  const meter = new RateMeter();
  const cpu = new CpuAccount(() => ingester.pid);
  const publishing = live ? burst(siteId, 1) : Promise.resolve(0);
  await waitFor(
    'the ingester to commit the burst',
    async () => {
      ingester.assertRunning();
      const n = await committedSoFar(db, siteId);
      if (n > 0) meter.observe(n);
      return n >= MESSAGES;
    },
    300_000,
    5,
  );
  const figures = cpu.perThousand(MESSAGES);
  await publishing;
  return { rate: meter.perSecond(), cpu: figures };
}

// eslint-disable-next-line max-lines-per-function -- the benchmark's run in order: start, publish, measure, print, stop
async function main(): Promise<void> {
  const database = await createTestDatabase('ilot_bench');
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const results: Array<{
    scenario: string;
    raw: { rate: number; cpu: CpuFigures };
    ingest: { rate: number; cpu: CpuFigures };
    lag?: { p50: number; p99: number };
    rssMiB: number;
    lost: number;
  }> = [];
  try {
    for (const live of [true, false]) {
      const { path: siteFile, siteId } = uniqueDemoSite(live ? 'benchlive' : 'benchdrain');
      const ingester = new IngesterProcess(
        {
          ILOT_MQTT_URL: TEST_MQTT_URL,
          ILOT_DATABASE_URL: database.url,
          ILOT_SITE_FILE: siteFile,
          ILOT_HTTP_PORT: String(testPort()),
          ILOT_INGEST_CLIENT_ID: `bench-${siteId}`,
          // Ingestion settings under test pass through (ILOT_INGEST_MAX_INFLIGHT, ILOT_INGEST_BATCH_SIZE, ...).
          ...Object.fromEntries(
            Object.entries(process.env).filter(
              (e): e is [string, string] => e[0].startsWith('ILOT_INGEST_') && e[1] !== undefined,
            ),
          ),
        },
        // e.g. BENCH_INGESTER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the ingester under load.
        (process.env.BENCH_INGESTER_NODE_ARGS ?? '').split(' ').filter(Boolean),
      );
      try {
        const raw = await rawSubscriberRate(`${siteId}-raw`, live);
        const ingest = await ingesterRate(ingester, db, siteId, live);
        const lag = live ? await lagFromPublish(db, siteId) : undefined;
        const rssKb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${ingester.pid}/status`, 'utf8'))?.[1]);
        const duplicates = Number(
          (
            await db.query('SELECT count(*) - count(DISTINCT (device_id, ts)) AS d FROM readings WHERE site_id = $1', [
              siteId,
            ])
          ).rows[0].d,
        );
        if (duplicates !== 0) throw new Error(`${duplicates} duplicate rows stored`);
        results.push({
          scenario: live
            ? 'live: subscribed while the publishers send'
            : 'backlog: draining the burst queued in the session',
          raw,
          ingest,
          lag,
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
    console.log(`    raw mqtt.js subscriber (the limit)   ${r.raw.rate.toFixed(0)} msg/s`);
    console.log(`    ingester, committed to PostgreSQL    ${r.ingest.rate.toFixed(0)} readings/s`);
    console.log(`    ratio ingester / raw                 ${(r.ingest.rate / r.raw.rate).toFixed(2)}  (target >= 0.9)`);
    if (r.lag)
      console.log(
        `    lag publish -> batch write          p50 ${r.lag.p50.toFixed(0)} ms, p99 ${r.lag.p99.toFixed(0)} ms`,
      );
    console.log(`    ingester peak RSS                    ${r.rssMiB.toFixed(0)} MiB`);
    console.log(`    lost ${r.lost}, duplicate rows 0`);
    const cpu = (c: CpuFigures) =>
      `bench process ${c.bench.toFixed(0)}, mosquitto ${c.broker.toFixed(0)}, postgres ${c.postgres.toFixed(0)}, ingester ${c.ingester.toFixed(0)}; machine busy ${c.busyCores.toFixed(2)} of ${cpus().length} cores`;
    console.log(`    CPU ms per 1000 messages, raw run    ${cpu(r.raw.cpu)}`);
    console.log(`    CPU ms per 1000 messages, ingester   ${cpu(r.ingest.cpu)}`);
    const ceiling = cpuCeiling(r.raw.cpu, r.ingest.cpu);
    console.log(
      `    CPU ceiling on this machine          ${ceiling.toFixed(0)} readings/s (ratio ${(ceiling / r.raw.rate).toFixed(2)}) for an ingester costing no more than the raw subscriber`,
    );
  }
}

main().catch((error: Error) => {
  console.error(`bench:ingest: ${error.message}`);
  process.exit(1);
});
