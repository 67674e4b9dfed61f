/**
 * npm run bench:live: the live pages pushed, not polled (issue 30 §4). The built API app as its own process on a fresh
 * database (ILOT_TEST_DATABASE_URL) with the demo îlot; a writer stores a reading of every device every
 * BENCH_LIVE_WRITE_S (default 7: past the push period, so each is pushed at once); then 0, 10, 100 and 1000 Server-Sent
 * Events streams (BENCH_LIVE_STREAMS) spread over a fixed set of pages (the lobby in French and in English, and eight
 * residents' live pages), each held BENCH_LIVE_WINDOW_S (default 30). Prints per count: the database's transactions
 * per second (pg_stat_database, the writer's own included; the 0-stream row is the baseline), the pages' readings per
 * second (`ilot_api_live_reads_total`), the API's memory per stream (RSS), and the time from a reading's commit to
 * each stream's event (p50, p95, max). Target: queries per second do not grow with the streams (ratio to 10 streams).
 */
import { signAccessToken } from '@ilot/residents';
import { loadSiteFile, type Site } from '@ilot/site';
import { openDatabase, ReadingRepository } from '@ilot/timeseries';
import { createTestDatabase } from '@ilot/timeseries/testing/test-database';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AppProcess } from '../test/support/app-process';
import { testPort, uniqueDemoSite } from '../test/support/services';

const COUNTS = (process.env.BENCH_LIVE_STREAMS ?? '10,100,1000').split(',').map(Number);
const WINDOW_S = Number(process.env.BENCH_LIVE_WINDOW_S ?? 30);
const WRITE_S = Number(process.env.BENCH_LIVE_WRITE_S ?? 7);
const SETTLE_S = Number(process.env.BENCH_LIVE_SETTLE_S ?? 20);
const SECRET = 'bench-live-secret-0123456789abcdef0123456789';
const OPERATOR = 'bench-live-operator-0123456789';

interface Stream {
  controller: AbortController;
  events: number[];
}

/** The API on its own database with the demo îlot; its pages' event URLs (and the residents' tokens). */
async function startApi() {
  const { path, siteId } = uniqueDemoSite('live');
  const site = loadSiteFile(path);
  const database = await createTestDatabase('ilot_bench_live');
  const port = testPort();
  const api = new AppProcess('api', {
    ILOT_MQTT_URL: process.env.ILOT_TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883',
    ILOT_DATABASE_URL: database.url,
    ILOT_SITE_FILE: path,
    ILOT_HTTP_PORT: String(port),
    ILOT_OPERATOR_TOKEN: OPERATOR,
    ILOT_TOKEN_SECRET: SECRET,
    ILOT_LIVE_MAX_STREAMS: '5000',
    ILOT_LIVE_MAX_STREAMS_PER_ADDRESS: '5000',
    // Every stream from this one address: the API's rate limit would stop the thousandth.
    ILOT_HTTP_RATE_PER_MIN: '0',
  });
  await api.start();
  const base = `http://127.0.0.1:${port}/api/v1/sites/${siteId}`;
  const residents = site.participants.slice(0, 8).map((p) => ({
    id: p.id,
    token: signAccessToken(
      { role: 'resident', site: siteId, participant: p.id, exp: Math.floor(Date.now() / 1000) + 7200 },
      SECRET,
    ),
  }));
  // BENCH_LIVE_PAGES: `lobby` or `resident` to look at one kind alone.
  const kinds = process.env.BENCH_LIVE_PAGES ?? 'all';
  const pages = [
    ...(kinds === 'resident' ? [] : [{ url: `${base}/lobby/events?lang=fr` }, { url: `${base}/lobby/events?lang=en` }]),
    ...(kinds === 'lobby'
      ? []
      : residents.map((r) => ({ url: `${base}/participants/${r.id}/live/events`, token: r.token }))),
  ];
  return { site, siteId, database, api, pages };
}

/** Stores a reading of every device now, each time with other powers (every page's figures change); the commits' times. */
function writer(db: DataSource, site: Site, siteId: string) {
  const readings = new ReadingRepository(db);
  const devices = [...site.devices.values()].filter((d) => ['meter', 'pv', 'grid', 'heat_pump'].includes(d.kind));
  let seq = 0;
  const commits: number[] = [];
  const write = async () => {
    const ts = new Date();
    seq++;
    await readings.insertBatch(
      devices.map((d) => ({
        siteId,
        deviceId: d.id,
        ts,
        seq,
        powerW: d.kind === 'pv' ? -(1000 + ((seq * 977) % 9000)) : 300 + ((seq * 131 + d.id.length * 17) % 2000),
      })),
      ts,
    );
    commits.push(Date.now());
  };
  return { write, commits };
}

async function main(): Promise<void> {
  const { site, siteId, database, api, pages } = await startApi();
  const db = await openDatabase(database.url);
  const { write, commits } = writer(db, site, siteId);
  await write();
  const stats = new Client({ connectionString: database.url });
  await stats.connect();
  const transactions = async () =>
    Number(
      (
        await stats.query(
          'SELECT xact_commit + xact_rollback AS n FROM pg_stat_database WHERE datname = current_database()',
        )
      ).rows[0].n,
    );
  const rssKiB = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${api.pid}/status`, 'utf8'))?.[1]);
  console.log(`bench:live: ${pages.length} pages, writes every ${WRITE_S} s, ${WINDOW_S} s per count`);
  console.log('streams  db tx/s  page reads/s  RSS MiB  KiB/stream  commit->event p50/p95/max ms  tx/s vs 10');
  let at10: number | undefined;
  for (const count of [0, ...COUNTS]) {
    const rssBefore = rssKiB();
    const streams = await openStreams(count, pages);
    // Opening a resident's stream reads and logs (the access log): let that finish before measuring.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_S * 1000));
    const rssOpen = rssKiB();
    const [tx0, reads0, t0] = [await transactions(), await api.metric('ilot_api_live_reads_total'), Date.now()];
    const firstCommit = commits.length;
    const writing = setInterval(() => void write(), WRITE_S * 1000);
    await new Promise((resolve) => setTimeout(resolve, WINDOW_S * 1000));
    clearInterval(writing);
    const seconds = (Date.now() - t0) / 1000;
    const txPerS = ((await transactions()) - tx0) / seconds;
    const readsPerS = ((await api.metric('ilot_api_live_reads_total')) - reads0) / seconds;
    const latencies = streams.flatMap((s) =>
      commits.slice(firstCommit).flatMap((c) => {
        const next = s.events.find((e) => e >= c);
        return next === undefined ? [] : [next - c];
      }),
    );
    for (const s of streams) s.controller.abort();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    if (count === 10) at10 = txPerS;
    const q = quantiles(latencies);
    console.log(
      [
        String(count).padStart(7),
        txPerS.toFixed(1).padStart(8),
        readsPerS.toFixed(2).padStart(13),
        (rssOpen / 1024).toFixed(0).padStart(8),
        (count ? (rssOpen - rssBefore) / count : 0).toFixed(1).padStart(11),
        (count ? `${q.p50}/${q.p95}/${q.max}` : '-').padStart(29),
        (at10 && count >= 10 ? (txPerS / at10).toFixed(2) : '-').padStart(11),
      ].join(' '),
    );
  }
  await stats.end();
  await api.stop();
  await db.destroy();
  await database.drop();
}

/** `count` streams over the pages in turn, each recording when its events arrive. */
async function openStreams(count: number, pages: Array<{ url: string; token?: string }>): Promise<Stream[]> {
  const streams: Stream[] = [];
  for (let i = 0; i < count; i++) {
    const page = pages[i % pages.length];
    const stream: Stream = { controller: new AbortController(), events: [] };
    const response = await fetch(page.url, {
      signal: stream.controller.signal,
      headers: page.token ? { authorization: `Bearer ${page.token}` } : {},
    });
    if (response.status !== 200) throw new Error(`${page.url}: ${response.status} ${await response.text()}`);
    void (async () => {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>)
        if (Buffer.from(chunk).includes('event: live')) stream.events.push(Date.now());
    })().catch(() => undefined);
    streams.push(stream);
  }
  return streams;
}

function quantiles(values: number[]): { p50: number; p95: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => (sorted.length ? sorted[Math.min(Math.floor(q * sorted.length), sorted.length - 1)] : NaN);
  return { p50: at(0.5), p95: at(0.95), max: sorted.at(-1) ?? NaN };
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
