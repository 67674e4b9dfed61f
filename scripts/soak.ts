/**
 * `npm run soak` (issue 30 §1): the whole deployment on real services runs a simulated month at high speed while a
 * seeded chaos schedule fails each part in turn; checked all along and printed at the end as a table. Exit 1 when a
 * check fails. Variables (defaults: the short form CI runs):
 *   SOAK_DAYS (1)       simulated days, from 1 June 00:00 Paris time (30: the month)
 *   SOAK_SPEEDUP (720)  simulated time per real time (720: a month in an hour)
 *   SOAK_SITES (10)     generated îlots;  SOAK_SEED (1) their generation and the chaos schedule
 *   SOAK_PERIOD_MIN (5) a device's telemetry period, simulated minutes
 *   SOAK_FAULT_SPACING_S (10 for a day, else 20) real seconds between two faults at least
 *   SOAK_ROUNDS (one a simulated week, at least 1) rounds of faults, every kind once in each
 *   SOAK_RSS_SLOPE_MB_PER_DAY (3) the bound on a process's memory trend, judged on lives of 2 simulated days or more
 *   SOAK_LOG_DIR (a temporary folder) where the apps' and the broker's output is left
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { chaosSchedule, describeSchedule } from '../test/support/soak/chaos-schedule';
import { runChaos } from '../test/support/soak/chaos-runner';
import { PublishedReadings } from '../test/support/soak/published';
import { SoakDeployment } from '../test/support/soak/soak-deployment';
import { SoakMonitor } from '../test/support/soak/soak-monitor';
import { judgeSoak, TREND_MIN_DAYS } from '../test/support/soak/soak-verdict';
import { compareReports } from '../test/support/soak/report-reference';

const DAY_MS = 86_400_000;
const env = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, not "${process.env[name]}"`);
  return value;
};

/** The run's settings and its chaos schedule, from the variables; printed. */
function plan() {
  const days = env('SOAK_DAYS', 1);
  const speedup = env('SOAK_SPEEDUP', 720);
  const settings = {
    sites: env('SOAK_SITES', 10),
    seed: env('SOAK_SEED', 1),
    speedup,
    simStart: '2026-05-31T22:00:00Z',
    periodSimMs: env('SOAK_PERIOD_MIN', 5) * 60_000,
    leaseTtlS: 1800,
    ledgerIntervalS: 2,
    operatorToken: 'soak-operator-token-0123456789abcdef',
    tokenSecret: 'soak-token-secret-0123456789abcdef0123',
  };
  const startMs = Date.parse(settings.simStart);
  const endMs = startMs + days * DAY_MS;
  const schedule = {
    seed: settings.seed,
    startMs,
    endMs,
    speedup,
    leaseSimMs: settings.leaseTtlS * 1000,
    sites: settings.sites,
    spacingRealMs: env('SOAK_FAULT_SPACING_S', days <= 1 ? 10 : 20) * 1000,
    rounds: env('SOAK_ROUNDS', Math.ceil(days / 7)),
    // Where lives can be judged (2 simulated days at least, their second half): the apps' faults first.
    processFaultsFirst: days > 2 * TREND_MIN_DAYS,
  };
  const events = chaosSchedule(schedule);
  console.log(
    `soak: ${settings.sites} îlots (seed ${settings.seed}), ${days} simulated day(s) from ${settings.simStart} at ${speedup}x (${((days * DAY_MS) / speedup / 60_000).toFixed(1)} min), a reading every ${settings.periodSimMs / 60_000} simulated min per device`,
  );
  console.log(
    `chaos schedule (seed ${settings.seed}), ${events.length} faults${schedule.processFaultsFirst ? ', the apps’ own first' : ''}:`,
  );
  for (const line of describeSchedule(events, schedule)) console.log(line);
  return { settings, startMs, endMs, events };
}

async function main(): Promise<number> {
  const { settings, startMs, endMs, events } = plan();
  const speedup = settings.speedup;
  const published = new PublishedReadings();
  const deployment = new SoakDeployment(settings, (site, device, ts, state) => published.note(site, device, ts, state));
  const started = Date.now();
  // Interrupted (Ctrl-C, a CI timeout): the apps, the broker and the PostgreSQL server of the run stop with it.
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => void deployment.stopAll().finally(() => process.exit(130)));
  await deployment.start();
  const devices = deployment.sites.reduce((sum, s) => sum + s.devices.size, 0);
  console.log(`deployment up in ${((Date.now() - started) / 1000).toFixed(0)} s: ${devices} devices`);
  const monitor = new SoakMonitor(deployment);
  monitor.start();
  try {
    const outcomes = await runChaos(deployment, events, (line) => console.log(line));
    const leftMs = (endMs - deployment.clock.now().getTime()) / speedup;
    if (leftMs > 0) await new Promise((resolve) => setTimeout(resolve, leftMs));
    // The samples end with the devices: past them the ledger has no readings to follow while the clock runs on.
    monitor.stop();
    await deployment.stopDevices();
    const db = new Client({ connectionString: deployment.database.url });
    await db.connect();
    const drained = await monitor.drain(db);
    await monitor.close();
    const comparing = Date.now();
    const reports = await compareReports(deployment, startMs, endMs);
    console.log(
      `soak: ran ${((comparing - started) / 1000).toFixed(0)} s, its reports compared with a fault-free reference's in ${((Date.now() - comparing) / 1000).toFixed(0)} s`,
    );
    const verdict = await judgeSoak({
      deployment,
      db,
      published,
      monitor,
      outcomes,
      startMs,
      endMs,
      reports,
      drained,
      rssSlopeMbPerDay: env('SOAK_RSS_SLOPE_MB_PER_DAY', 3),
    });
    for (const line of verdict.table) console.log(line);
    await db.end();
    return verdict.passed ? 0 : 1;
  } finally {
    monitor.stop();
    const logDir = process.env.SOAK_LOG_DIR ?? mkdtempSync(join(tmpdir(), 'ilot-soak-logs-'));
    await deployment.stopAll(logDir);
    console.log(`soak: the apps' logs are in ${logDir}`);
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`soak: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
