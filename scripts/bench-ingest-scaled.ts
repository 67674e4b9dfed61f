/**
 * npm run bench:ingest-scaled: ingestion scaled out (issue 14). For 1, 2 and 3 ingester processes sharing one MQTT 5
 * subscription (`$share/...`) over every site of a folder of îlots, the same QoS 1 burst spread over the sites: the
 * committed rate of all instances together against one instance in the same run, each instance's share (its
 * `ilot_ingest_readings_total`), and what was lost or stored twice. On 2 cores it cannot scale linearly (the
 * broker, PostgreSQL and the publishers share them): what matters is that it does not fall and loses nothing.
 * Env: ILOT_TEST_MQTT_URL (a broker configured like production), ILOT_TEST_DATABASE_URL, BENCH_MESSAGES (60000),
 * BENCH_PUBLISHERS (4), BENCH_SITES (4).
 */
import { generateSiteDocuments, validateSite } from '@ilot/site';
import { createTestDatabase } from '@ilot/timeseries/testing/test-database';
import mqtt from 'mqtt';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { stringify } from 'yaml';
import { AppProcess } from '../test/support/app-process';
import { TEST_MQTT_URL, testPort, waitFor } from '../test/support/services';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 60_000);
const PUBLISHERS = Number(process.env.BENCH_PUBLISHERS ?? 4);
const SITES = Number(process.env.BENCH_SITES ?? 4);

interface Run {
  instances: number;
  ratePerS: number;
  shares: number[];
  lost: number;
  duplicates: number;
}

/** The burst: message k goes to site k mod SITES, to one of its meters, a unique instant each. */
async function burst(sites: Array<{ id: string; meters: string[] }>, baseMs: number): Promise<void> {
  const clients = await Promise.all(
    Array.from({ length: PUBLISHERS }, () => mqtt.connectAsync(TEST_MQTT_URL, { protocolVersion: 5 })),
  );
  await Promise.all(
    clients.map(async (client, p) => {
      const inFlight: Promise<unknown>[] = [];
      for (let k = p; k < MESSAGES; k += PUBLISHERS) {
        const site = sites[k % sites.length];
        const meter = site.meters[Math.floor(k / sites.length) % site.meters.length];
        const ts = new Date(baseMs + k).toISOString();
        inFlight.push(
          client.publishAsync(`ilot/v1/${site.id}/${meter}/telemetry`, JSON.stringify({ ts, seq: k, powerW: 400 }), {
            qos: 1,
          }),
        );
        if (inFlight.length >= 500) await Promise.all(inFlight.splice(0));
      }
      await Promise.all(inFlight);
    }),
  );
  await Promise.all(clients.map((client) => client.endAsync()));
}

// eslint-disable-next-line max-lines-per-function -- one run in order: start the instances, publish, measure, stop
async function run(instances: number): Promise<Run> {
  const tag = randomBytes(3).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'ilot-bench-scaled-'));
  const sites = generateSiteDocuments(SITES, 3).map((document) => {
    const site = validateSite({ ...document, id: `${String(document.id)}-${tag}` });
    writeFileSync(join(dir, `${site.id}.yaml`), stringify({ ...document, id: site.id }));
    return { id: site.id, meters: [...site.devices.values()].filter((d) => d.kind === 'meter').map((d) => d.id) };
  });
  const database = await createTestDatabase(`ilot_bench_scaled_${instances}`);
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const ingesters = Array.from(
    { length: instances },
    (_, n) =>
      new AppProcess('ingestion', {
        ILOT_MQTT_URL: TEST_MQTT_URL,
        ILOT_DATABASE_URL: database.url,
        ILOT_SITES_DIR: dir,
        ILOT_HTTP_PORT: String(testPort()),
        ILOT_INGEST_CLIENT_ID: `bench-scaled-${tag}-${n}`,
        ILOT_INGEST_SHARE_GROUP: `bench-scaled-${tag}`,
      }),
  );
  try {
    for (const ingester of ingesters) await ingester.start();
    // The committed count, from the rollup the insert keeps (a few rows), polled while the burst runs.
    const committed = async () =>
      Number((await db.query('SELECT coalesce(sum(samples), 0)::bigint AS n FROM readings_15m')).rows[0].n);
    let first: { ms: number; n: number } | undefined;
    let last = { ms: 0, n: 0 };
    const publishing = burst(sites, Date.now() - 3 * 86_400_000);
    await waitFor(
      `${instances} ingester(s) to commit the burst`,
      async () => {
        const n = await committed();
        const ms = performance.now();
        if (n > 0 && !first) first = { ms, n };
        if (n > last.n) last = { ms, n };
        return n >= MESSAGES;
      },
      300_000,
      5,
    );
    await publishing;
    const stored = await db.query(
      'SELECT count(*)::int AS n, count(DISTINCT (site_id, device_id, ts))::int AS d FROM readings',
    );
    const shares = await Promise.all(ingesters.map((ingester) => ingester.metric('ilot_ingest_readings_total')));
    return {
      instances,
      ratePerS: (last.n - first!.n) / ((last.ms - first!.ms) / 1000),
      shares,
      lost: MESSAGES - stored.rows[0].d,
      duplicates: stored.rows[0].n - stored.rows[0].d,
    };
  } catch (error) {
    const refused = await db.query(
      'SELECT reason, count(*)::int AS n, min(detail) AS detail FROM rejected_messages GROUP BY reason',
    );
    const n = await db.query('SELECT count(*)::int AS n FROM readings');
    throw new Error(`${(error as Error).message}; stored ${n.rows[0].n}, refused ${JSON.stringify(refused.rows)}`, {
      cause: error,
    });
  } finally {
    for (const ingester of ingesters) await ingester.stop();
    await db.end();
    await database.drop();
  }
}

async function main(): Promise<void> {
  const runs: Run[] = [];
  for (const instances of [1, 2, 3]) runs.push(await run(instances));
  const one = runs[0].ratePerS;
  console.log(
    `ingestion scaled out: ${MESSAGES} QoS 1 readings over ${SITES} îlots from ${PUBLISHERS} publishers, one shared subscription`,
  );
  for (const r of runs)
    console.log(
      `  ${r.instances} instance(s): ${r.ratePerS.toFixed(0)} readings/s committed in all (x${(r.ratePerS / one).toFixed(2)} of one instance), ` +
        `per instance ${r.shares.map((s) => s.toFixed(0)).join(' / ')}, lost ${r.lost}, stored twice ${r.duplicates}`,
    );
  if (runs.some((r) => r.lost !== 0 || r.duplicates !== 0)) process.exitCode = 1;
}

main().catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
