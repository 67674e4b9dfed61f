import { Client, Pool } from 'pg';
import { LEDGER_RUN_BUCKETS_S, LEDGER_RUN_METRIC } from '../../../apps/metrics/src/ledger/resident-ledger.job';
import { ledgerNewestStep, sitesLedgerBehind, tableSizes } from './soak-checks';
import { ProcessTrend } from './resource-samples';
import { type AppName, APP_NAMES, sleep, type SoakDeployment } from './soak-deployment';

/** The ingesters' counters the soak adds up across their restarts. */
export const INGEST_COUNTERS = [
  'ilot_ingest_readings_total',
  'ilot_ingest_duplicates_total',
  'ilot_ingest_rejected_total',
  'ilot_ingest_seq_gaps_total',
  'ilot_ingest_seq_missing_total',
  'ilot_ingest_device_restarts_total',
  'ilot_ingest_spooled_total',
  'ilot_ingest_spool_replayed_total',
  'ilot_ingest_spool_full_total',
] as const;

/**
 * The planners' lease renewals (ilot_lease_renew_seconds, real seconds from due to done), added up the same way: how
 * many, and how many took longer than 1 s and 2.5 s (the soak's lease is 2.5 s real at 720x: those lapsed).
 */
export const LEASE_COUNTERS = [
  'ilot_lease_renew_seconds_count',
  'ilot_lease_renew_seconds_bucket{le="1"}',
  'ilot_lease_renew_seconds_bucket{le="2.5"}',
] as const;

/**
 * The metrics app's ledger job runs (ilot_resident_ledger_run_seconds, wall seconds), added up the same way: how many,
 * how long in all, and how many within each bucket's bound (the soak judges the ledger's lag against them).
 */
export const LEDGER_COUNTERS = [
  `${LEDGER_RUN_METRIC}_count`,
  `${LEDGER_RUN_METRIC}_sum`,
  ...LEDGER_RUN_BUCKETS_S.map((le) => `${LEDGER_RUN_METRIC}_bucket{le="${le}"}`),
] as const;

const DAY_MS = 86_400_000;

/** prom-client's longest event-loop delay since the last scrape (it resets at each), seconds. */
const EVENT_LOOP_METRIC = 'nodejs_eventloop_lag_max_seconds';

/** prom-client's gauges of the V8 heap in use and reserved, and of the external memory (every app registers them). */
const HEAP_METRIC = 'nodejs_heap_size_used_bytes';
const HEAP_TOTAL_METRIC = 'nodejs_heap_size_total_bytes';
const EXTERNAL_METRIC = 'nodejs_external_memory_bytes';
/** The apps' heaps are scraped every this many samples (a /metrics page of each app). */
const HEAP_EVERY_SAMPLES = 10;

/**
 * Samples the deployment while it runs, every second of real time: each process's memory and descriptors (a restart
 * begins a new life), the database's connections, the resident ledger's lag behind the îlot clock, the ingesters'
 * counters (added up across restarts), and the tables' sizes four times a simulated day.
 */
/** The soak's own process (the simulated devices), sampled beside the deployment's. */
export const SOAK_PROCESS = 'soak (simulators)';

export class SoakMonitor {
  readonly trends = new Map<string, ProcessTrend>();
  readonly counters = new Map<string, number>();
  private readonly lastSeen = new Map<string, number>();
  /** Simulated ms, the lag of the site furthest behind, simulated ms. */
  readonly ledgerLag: Array<{ atMs: number; lagMs: number }> = [];
  readonly connections: Array<{ atMs: number; count: number }> = [];
  /** Every quarter of a simulated day: each table's bytes. */
  readonly sizes: Array<{ atMs: number; bytes: Map<string, number> }> = [];
  /** Each app's longest event-loop delay in each window between two scrapes of its page, real seconds. */
  readonly eventLoopStalls = new Map<AppName, number[]>();
  private readonly pool: Pool;
  private timer: NodeJS.Timeout | undefined;
  private sampling: Promise<void> = Promise.resolve();

  constructor(private readonly deployment: SoakDeployment) {
    this.pool = new Pool({ connectionString: deployment.database.url, max: 1, connectionTimeoutMillis: 2000 });
    this.pool.on('error', () => undefined);
    for (const name of [...APP_NAMES, 'mosquitto', SOAK_PROCESS]) this.trends.set(name, new ProcessTrend(name));
  }

  /** A sample still running when the next is due: that one is skipped, never queued (regression, below). */
  private busy = false;
  private samples = 0;

  /**
   * Samples every second of real time, one at a time. Regression (the month run of 2026-12-07): chained on the
   * previous one, samples slower than a second on a loaded machine queued up for the whole month (each stamped with
   * the clock when it ran, not when it was due), and the end of the run waited 40 minutes for the queue.
   */
  start(): void {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      this.sampling = this.sample()
        .catch(() => undefined)
        .finally(() => (this.busy = false));
    }, 1000);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async close(): Promise<void> {
    this.stop();
    await this.sampling;
    await this.pool.end();
  }

  private async sample(): Promise<void> {
    const atMs = this.deployment.clock.now().getTime();
    const heapDue = this.samples++ % HEAP_EVERY_SAMPLES === 0;
    const scraped = await this.scrape(heapDue ? [HEAP_METRIC, HEAP_TOTAL_METRIC, EXTERNAL_METRIC] : []);
    for (const name of APP_NAMES) {
      const stall = scraped.get(name)?.get(EVENT_LOOP_METRIC);
      if (stall !== undefined && Number.isFinite(stall))
        this.eventLoopStalls.set(name, [...(this.eventLoopStalls.get(name) ?? []), stall]);
      const mb = (metric: string) => {
        const bytes = scraped.get(name)?.get(metric);
        return bytes !== undefined && Number.isFinite(bytes) ? bytes / 1_048_576 : undefined;
      };
      const heapMb = mb(HEAP_METRIC);
      this.trends
        .get(name)!
        .add(
          this.deployment.app(name).pid,
          atMs,
          heapMb ? { heapMb, heapTotalMb: mb(HEAP_TOTAL_METRIC), externalMb: mb(EXTERNAL_METRIC) } : undefined,
        );
    }
    this.trends.get('mosquitto')!.add(this.deployment.broker.pid, atMs);
    const own = process.memoryUsage();
    this.trends.get(SOAK_PROCESS)!.add(process.pid, atMs, {
      heapMb: own.heapUsed / 1_048_576,
      heapTotalMb: own.heapTotal / 1_048_576,
      externalMb: own.external / 1_048_576,
    });
    this.addIngestCounters(scraped);
    await this.withDatabase(async (db) => {
      const newest = await ledgerNewestStep(db);
      if (newest) this.ledgerLag.push({ atMs, lagMs: atMs - newest.getTime() });
      const count = await db.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database()`,
      );
      this.connections.push({ atMs, count: Number(count.rows[0].n) });
      const last = this.sizes.at(-1);
      if (!last || atMs - last.atMs >= DAY_MS / 4) this.sizes.push({ atMs, bytes: await tableSizes(db) });
    });
  }

  /**
   * One /metrics page per app that has something to give: the ingesters' counters, and `extra` of every app. An app
   * that does not answer is left out. Regression: a page per counter, 18 a second from the ingesters alone.
   */
  private async scrape(extra: readonly string[]): Promise<Map<AppName, Map<string, number>>> {
    const pages = await Promise.all(
      APP_NAMES.map(async (name) => {
        // The metrics app's page reads the database for every îlot: scraped with the heaps only, not every second.
        const counters = name.startsWith('ingester')
          ? INGEST_COUNTERS
          : name.startsWith('planner')
            ? LEASE_COUNTERS
            : name === 'metrics' && extra.length > 0
              ? LEDGER_COUNTERS
              : [];
        if (counters.length + extra.length === 0) return undefined;
        // The longest stall since the page before, on every page: prom-client resets it at each scrape, so one not
        // read would be lost (regression: read every tenth sample only, the ingesters' and planners' pages of the
        // nine others reset it unseen).
        const names = [...counters, ...extra, EVENT_LOOP_METRIC];
        const values = await this.deployment
          .app(name)
          .metrics(names)
          .catch(() => undefined);
        return values && ([name, values] as const);
      }),
    );
    return new Map(pages.filter((page) => page !== undefined));
  }

  /** Adds each counter's increase since the last scrape (ingesters', planners', the ledger job's); a counter lower than before is a restarted process's. */
  async scrapeIngesters(): Promise<void> {
    this.addIngestCounters(await this.scrape([]));
  }

  private addIngestCounters(scraped: ReadonlyMap<AppName, ReadonlyMap<string, number>>): void {
    for (const [name, values] of scraped)
      for (const counter of [...INGEST_COUNTERS, ...LEASE_COUNTERS, ...LEDGER_COUNTERS]) {
        const value = values.get(counter);
        if (value === undefined || Number.isNaN(value)) continue;
        const key = `${name} ${counter}`;
        const last = this.lastSeen.get(key) ?? 0;
        this.counters.set(counter, (this.counters.get(counter) ?? 0) + (value >= last ? value - last : value));
        this.lastSeen.set(key, value);
      }
  }

  private async withDatabase(work: (db: Client) => Promise<void>): Promise<void> {
    const client = await this.pool.connect().catch(() => undefined);
    if (!client) return;
    // A connection cut by a PostgreSQL restart while checked out: its error is this sample's, not the process's.
    const ignore = () => undefined;
    client.on('error', ignore);
    try {
      await work(client as unknown as Client);
      client.off('error', ignore);
      client.release();
    } catch {
      client.release(true);
    }
  }

  /**
   * Once the devices have stopped: waits until both ingesters say their spool is empty and the readings stored stay the
   * same for 5 s, then until the resident ledger has reached every site's last reading (at most `limitMs` real each).
   */
  async drain(db: Client, limitMs = 120_000): Promise<{ drainRealMs: number; ledgerRealMs: number; drained: boolean }> {
    const began = Date.now();
    let last = -1;
    let stableSince = Date.now();
    let drained = false;
    while (Date.now() - began < limitMs) {
      const spooled = await Promise.all(
        (['ingester-0', 'ingester-1'] as const).map((name) =>
          gauge(this.deployment.app(name).httpPort, 'ilot_ingest_spool_bytes'),
        ),
      );
      // Stored as the ingesters count it (a count of the tables moves with the residents' retention, which goes on
      // deleting raw readings as the clock runs: the month run never saw it stable).
      await this.scrapeIngesters();
      const stored = this.counters.get('ilot_ingest_readings_total') ?? 0;
      // A spool not known to be empty (its ingester not answering) is not.
      if (stored !== last || spooled.some((bytes) => bytes !== 0)) [last, stableSince] = [stored, Date.now()];
      else if (Date.now() - stableSince >= 5000) {
        drained = true;
        break;
      }
      await sleep(500);
    }
    const drainRealMs = Date.now() - began;
    while (Date.now() - began < drainRealMs + limitMs && (await sitesLedgerBehind(db)) > 0) await sleep(500);
    await this.scrapeIngesters();
    return { drainRealMs, ledgerRealMs: Date.now() - began - drainRealMs, drained };
  }
}

/** One gauge of an app's /metrics (summed over its labels), or undefined when the app does not answer it. */
async function gauge(port: number, name: string): Promise<number | undefined> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`).catch(() => undefined);
  if (response?.status !== 200) return undefined;
  const lines = (await response.text())
    .split('\n')
    .filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`));
  return lines.length === 0 ? undefined : lines.reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0);
}
