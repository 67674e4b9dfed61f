/**
 * npm run bench:fleet: how many îlots one optimiser instance plans inside a 15-min slot (issue 14). A fleet of generated
 * îlots (BENCH_FLEET_SITES, default 20; about 50 devices each) with 7 days of 15-min history each in a fresh database
 * on the real PostgreSQL (ILOT_TEST_DATABASE_URL); each site planned once to warm up, then BENCH_FLEET_ROUNDS (3) times
 * per site by the optimiser's own SitePlanner (the state read from the database, the LP solved by HiGHS in its worker,
 * the plan and commands stored), first one after the other, then each round's sites all at once, as an instance runs
 * them (each site its own timer, the solves sharing the instance's ILOT_SOLVER_THREADS): the main thread's reads,
 * model building and storing then overlap the solves. Prints per site-plan the wall time (p50, p95) split into
 * database reads, planning and storing, the CPU time of this process, and the îlots one instance holds in a slot with a
 * 50 % margin, against the target of 15 000 (issue 30 §5). The broker is left out (a stub takes the publishes): its
 * cost is the ingestion bench's.
 */
import { Logger } from '@nestjs/common';
import { type Clock, MINUTE_MS, type Reading } from '@ilot/domain';
import { INBOUND_DEFAULTS } from '@ilot/protocol';
import { electricDevices, generateSiteDocuments, type Site, validateSite } from '@ilot/site';
import {
  CommandRepository,
  DeviceStatusRepository,
  openDatabase,
  PlanRepository,
  PvForecastRepository,
  WeatherForecastRepository,
  ReadingRepository,
  RejectedMessageRepository,
  SignalRepository,
  STORAGE_POLICY,
} from '@ilot/timeseries';
import { createTestDatabase } from '@ilot/timeseries/testing/test-database';
import type { MqttClient } from 'mqtt';
import type { DataSource } from 'typeorm';
import { Registry } from 'prom-client';
import { dispatcherFor } from '../apps/optimiser/src/dispatcher-for';
import { loadOptimiserConfig, solverThreads } from '../apps/optimiser/src/optimiser.config';
import { OptimiserMetrics } from '../apps/optimiser/src/optimiser.metrics';
import type { SiteChangesAdapter } from '@ilot/runtime';
import { type PlannerDeps, SitePlanner } from '../apps/optimiser/src/site-planner';
import { SolverPool } from '../apps/optimiser/src/solver-pool';
import { SiteObserver } from '../apps/optimiser/src/site-observer';

const SITES = Number(process.env.BENCH_FLEET_SITES ?? 20);
const ROUNDS = Number(process.env.BENCH_FLEET_ROUNDS ?? 3);
const SLOT_MS = 15 * MINUTE_MS;
/** Issue 30 §5: at least 15 000 îlots of about 50 devices per planner instance (issue 14 asked 1000). */
const TARGET_ILOTS = 15_000;
const NOW = new Date('2026-06-17T12:00:00Z');

/** A broker that takes every publish and says nothing: the bench measures planning, not MQTT. */
const stubBroker = {
  publishAsync: async () => undefined,
  subscribeAsync: async () => undefined,
  on: () => stubBroker,
  off: () => stubBroker,
} as unknown as MqttClient;

/** A plausible 15-min power of each device at `t`: flats and shops by the hour, PV by the sun, the rest quiet. */
function powerW(site: Site, deviceId: string, t: number): { powerW: number; socPct?: number } {
  const device = site.devices.get(deviceId)!;
  const hour = new Date(t).getUTCHours() + new Date(t).getUTCMinutes() / 60;
  const sun = Math.max(Math.sin(((hour - 4.5) / 15) * Math.PI), 0);
  const meanW = (kWh: number) => (kWh * 1000) / 8760;
  switch (device.kind) {
    case 'meter':
      return { powerW: meanW(device.annualKWh) * (0.6 + 0.8 * Math.max(Math.sin(((hour - 6) / 16) * Math.PI), 0)) };
    case 'pv':
      return { powerW: device.peakW * 0.7 * sun };
    case 'battery':
      return { powerW: 0, socPct: 50 };
    case 'heat_pump':
      return { powerW: device.ratedW * 0.3 };
    case 'grid': {
      const consumption = [...site.devices.values()]
        .filter((d) => d.kind === 'meter')
        .reduce((sum, d) => sum + powerW(site, d.id, t).powerW, 0);
      const pv = [...site.devices.values()]
        .filter((d) => d.kind === 'pv')
        .reduce((sum, d) => sum + powerW(site, d.id, t).powerW, 0);
      return { powerW: consumption - pv };
    }
    case 'ev_charger':
    case 'flexible_load':
      return { powerW: 0 };
    case 'gas_meter':
    case 'water_meter':
    case 'heat_meter':
      throw new Error(`${device.kind} reports no power`);
  }
}

async function loadHistory(readings: ReadingRepository, site: Site): Promise<number> {
  const batch: Reading[] = [];
  let count = 0;
  for (let t = NOW.getTime() - 7 * 86_400_000; t < NOW.getTime(); t += SLOT_MS)
    for (const { id: deviceId } of electricDevices(site)) {
      batch.push({ siteId: site.id, deviceId, ts: new Date(t), seq: count++, ...powerW(site, deviceId, t) });
      if (batch.length >= 5000) await readings.insertBatch(batch.splice(0), NOW);
    }
  // And each device's reading of a minute ago: the live state a plan starts from (older ones are stale).
  for (const { id: deviceId } of electricDevices(site))
    batch.push({
      siteId: site.id,
      deviceId,
      ts: new Date(NOW.getTime() - 60_000),
      seq: count++,
      ...powerW(site, deviceId, NOW.getTime()),
    });
  await readings.insertBatch(batch, NOW);
  return count;
}

const quantile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(Math.floor(p * values.length), values.length - 1)];
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** The optimiser's planner dependencies on the bench's database, a stub broker and a fixed clock set by `at`. */
function plannerDeps(db: DataSource, solver: SolverPool, at: () => Date): PlannerDeps {
  const clock: Clock = { now: at, speedup: 1 };
  const registry = new Registry();
  const metrics = new OptimiserMetrics(registry);
  const readings = new ReadingRepository(db);
  return {
    clock,
    config: loadOptimiserConfig({}),
    mqtt: stubBroker,
    solver,
    readings,
    statuses: new DeviceStatusRepository(db),
    plans: new PlanRepository(db),
    changes: undefined as unknown as SiteChangesAdapter, // only `start` listens: the bench calls `run`
    signals: new SignalRepository(db),
    pvForecasts: new PvForecastRepository(db),
    weatherForecasts: new WeatherForecastRepository(db),
    metrics,
    // Acks never come from the stub broker: no retry or verification timer fires during the bench.
    dispatcherFor: dispatcherFor({
      mqtt: stubBroker,
      repository: new CommandRepository(db),
      clock,
      metrics,
      protocolVersion: 5,
      limits: { ...INBOUND_DEFAULTS, latenessMs: STORAGE_POLICY.maxLatenessS * 1000 },
      readings,
      registry,
      rejected: new RejectedMessageRepository(db),
      config: {
        ILOT_COMMAND_ACK_TIMEOUT_MS: 3_600_000,
        ILOT_COMMAND_MAX_RETRIES: 0,
        ILOT_COMMAND_VERIFY_AFTER_S: 3600,
      },
    }),
  };
}

/** How a round's site-plans run: one after the other, or all at once as a slot's timers fire in the instance. */
type RoundMode = 'one after the other' | 'all at once';

/** One round: each planner's run, timed from its start to its end (in `all at once`, its wait for a thread included). */
async function round(planners: readonly SitePlanner[], mode: RoundMode): Promise<Array<PlanTiming>> {
  const timed = async (planner: SitePlanner): Promise<PlanTiming> => {
    const t0 = performance.now();
    await planner.run({ cause: 'timer' });
    return { ...planner.lastTimings, totalMs: performance.now() - t0 };
  };
  if (mode === 'all at once') return Promise.all(planners.map(timed));
  const timings: PlanTiming[] = [];
  for (const planner of planners) timings.push(await timed(planner));
  return timings;
}

type PlanTiming = SitePlanner['lastTimings'] & { totalMs: number };

/**
 * ROUNDS plans of every site in `mode`; prints where the time went and what one instance holds. Returns the îlots one
 * instance holds in a slot with a 50 % margin.
 */
async function measure(
  planners: readonly SitePlanner[],
  mode: RoundMode,
  setNow: (ms: number) => void,
  roundsDone: number,
): Promise<number> {
  const timings: PlanTiming[] = [];
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let r = 0; r < ROUNDS; r++) {
    setNow(NOW.getTime() + (roundsDone + r + 1) * 60_000);
    timings.push(...(await round(planners, mode)));
  }
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  const plans = timings.length;
  const perPlanMs = wallMs / plans;
  const perSlot = Math.floor((SLOT_MS * 0.5) / perPlanMs);
  const totals = timings.map((t) => t.totalMs);
  const ms = (key: keyof PlanTiming | 'inputMs') => {
    const part = (t: PlanTiming) => (key === 'inputMs' ? t.planMs - t.modelBuildMs - t.solveMs - t.decodeMs : t[key]);
    return `${mean(timings.map(part)).toFixed(1)} ms`;
  };
  console.log(
    [
      `${plans} site-plans in ${(wallMs / 1000).toFixed(1)} s, ${mode}: ${perPlanMs.toFixed(1)} ms of wall time each (a plan from its start to its end: p50 ${quantile(totals, 0.5).toFixed(0)}, p95 ${quantile(totals, 0.95).toFixed(0)})`,
      `  database reads ${ms('observeMs')}, planning ${ms('planMs')} (forecasts and input ${ms('inputMs')}, LP build ${ms('modelBuildMs')}, HiGHS solve in its thread ${ms('solveMs')} (the wait for a thread and the transfer included), decode ${ms('decodeMs')}), storing plan and commands ${ms('publishMs')}`,
      `  CPU of this process ${((cpu.user + cpu.system) / 1000 / plans).toFixed(1)} ms per site-plan (the solver's worker threads included)`,
      `  one instance, one plan per site per 15-min slot with a 50 % margin: ${perSlot} îlots (target ${TARGET_ILOTS}: ${(perSlot / TARGET_ILOTS).toFixed(2)}x)`,
    ].join('\n'),
  );
  return perSlot;
}

/** Sites whose cached history is checked against a fresh read (issue 30 §5). */
const SAMPLE = Number(process.env.BENCH_FLEET_SAMPLE ?? 5);

/**
 * The plans with the history cache are those without it: on a sample of sites, the history each planner's cache gives
 * (after the rounds' top-ups) is the one a planner without a cache reads, slot for slot. The cache is the only part of
 * a plan's input it touches, and a plan is a pure function of its input (planStep).
 */
async function sameAsWithoutCache(
  sites: readonly Site[],
  deps: PlannerDeps,
  planners: readonly SitePlanner[],
  now: Date,
): Promise<void> {
  let compared = 0;
  for (const [i, site] of sites.entries()) {
    const cached = await planners[i].observer.observe(now);
    const fresh = await new SiteObserver(site, deps, deps.config).observe(now);
    for (const key of ['consumptionHistory', 'pvHistory', 'flexibleHistory'] as const) {
      const [a, b] = [JSON.stringify(cached[key]), JSON.stringify(fresh[key])];
      if (a !== b) {
        const at = [...a].findIndex((c, k) => c !== b[k]);
        throw new Error(
          `${site.id}: ${key} with the cache differs from a fresh read: ...${a.slice(at - 80, at + 80)} against ...${b.slice(at - 80, at + 80)}`,
        );
      }
      compared++;
    }
  }
  console.log(
    `  the history with the cache = a fresh read: ${compared} series of ${sites.length} sites, slot for slot`,
  );
}

async function main(): Promise<void> {
  Logger.overrideLogger(['warn', 'error']);
  const database = await createTestDatabase('ilot_bench_fleet');
  const db = await openDatabase(database.url);
  // The instance's own pool (ILOT_SOLVER_THREADS, one thread per core, at least 2): one after the other uses one.
  const solver = new SolverPool('highs', solverThreads(loadOptimiserConfig(process.env)));
  const planners: SitePlanner[] = [];
  try {
    const sites = generateSiteDocuments(SITES, 1).map((document) => validateSite(document));
    const loadStarted = performance.now();
    let rows = 0;
    for (const site of sites) rows += await loadHistory(new ReadingRepository(db), site);
    const devices = sites.map((s) => s.devices.size);
    console.log(
      `bench:fleet: ${SITES} îlots (${mean(devices).toFixed(0)} devices each, ${Math.min(...devices)}-${Math.max(...devices)}), 7 days of 15-min history: ${rows} readings loaded in ${((performance.now() - loadStarted) / 1000).toFixed(0)} s`,
    );
    let nowMs = NOW.getTime();
    const deps = plannerDeps(db, solver, () => new Date(nowMs));
    for (const site of sites) planners.push(new SitePlanner(site, deps));
    for (const planner of planners) await planner.run({ cause: 'timer' }); // warm: JIT, solver worker, caches
    const setNow = (ms: number) => (nowMs = ms);
    const alone = await measure(planners, 'one after the other', setNow, 0);
    console.log(`as the instance runs them (${solver.size} solver threads, a database pool of 10):`);
    const together = await measure(planners, 'all at once', setNow, ROUNDS);
    console.log(`  x${(together / alone).toFixed(2)} the îlots of one after the other`);
    await sameAsWithoutCache(sites.slice(0, SAMPLE), deps, planners, new Date(nowMs));
  } finally {
    for (const planner of planners) await planner.stop();
    await solver.close();
    await db.destroy();
    await database.drop();
  }
}

main().catch((error: Error) => {
  console.error(`bench:fleet: ${error.stack ?? error.message}`);
  process.exit(1);
});
