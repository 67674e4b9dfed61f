/**
 * The leases' heartbeat thread (issue 30): says the planner instance is alive and extends the leases it holds, on a
 * connection of its own, on a timer the planners' work cannot hold up. On the main thread, the month's soak (720x: a
 * lease of 2.5 s real) saw the event loop stall up to 11 s while a planner started the sites it had just taken; its
 * heartbeat lapsed, the other instance took every site, stalled in turn, and the fleet went back and forth for two
 * minutes without a plan stored (1 442 simulated minutes for one site). The main thread posts the sites it holds at
 * every round; silent for longer than `maxSilenceMs` (stuck), it is no longer renewed for, so its leases lapse.
 */
import { type Clock, ScaledClock, SystemClock } from '@ilot/domain';
import { SiteLeaseRepository } from '@ilot/timeseries';
import { parentPort, workerData } from 'node:worker_threads';
import { Pool } from 'pg';
import type { DataSource } from 'typeorm';
import type { HeartbeatReport, HeartbeatSettings } from './lease-heartbeat';

const settings = workerData as HeartbeatSettings;
const clock: Clock = settings.clock
  ? new ScaledClock(settings.clock.originRealMs, settings.clock.originSimMs, settings.clock.speedup)
  : new SystemClock();
const pool = new Pool({ connectionString: settings.url, max: 1, connectionTimeoutMillis: settings.everyMs });
pool.on('error', () => undefined);
// The repository asks only `query` of its data source: rows back, as TypeORM's.
const repository = new SiteLeaseRepository({
  query: async (sql: string, parameters: unknown[]) => (await pool.query(sql, parameters)).rows,
} as unknown as DataSource);

let sites: readonly string[] = [];
let aliveAtMs = Date.now();
let lastFiredMs = Date.now();
let busy = false;
const report = (message: HeartbeatReport) => parentPort!.postMessage(message);

parentPort!.on('message', (message: { sites?: readonly string[]; stop?: true }) => {
  if (message.stop) {
    clearInterval(timer);
    void pool.end().finally(() => report({ stopped: true }));
    return;
  }
  sites = message.sites ?? sites;
  aliveAtMs = Date.now();
});

const timer = setInterval(() => {
  const firedMs = Date.now();
  const timerLateMs = Math.max(firedMs - lastFiredMs - settings.everyMs, 0);
  lastFiredMs = firedMs;
  if (busy) return;
  if (firedMs - aliveAtMs > settings.maxSilenceMs) return report({ silentMs: firedMs - aliveAtMs });
  busy = true;
  const now = clock.now();
  repository
    .heartbeat(settings.holder, now, settings.ttlMs)
    .then(() => repository.renew(sites, settings.holder, now, settings.ttlMs))
    .then(
      () => report({ tookMs: Date.now() - firedMs + timerLateMs, timerLateMs }),
      (error: Error) => report({ error: error.message }),
    )
    .finally(() => (busy = false));
}, settings.everyMs);
