import type { Clock } from '@ilot/domain';
import { TEST_MQTT_URL } from '@ilot/mqtt/testing/broker';
import type { Schedule } from '@ilot/optimiser';
import { ledgerReadings, ledgerSite, T0 } from '@ilot/residents/testing/ledger-site';
import {
  CommandRepository,
  DeviceStatusRepository,
  openDatabase,
  PlanRepository,
  PvForecastRepository,
  ReadingRepository,
  SignalRepository,
} from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import mqtt from 'mqtt';
import { randomBytes } from 'node:crypto';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { CommandDispatcher } from './command-dispatcher';
import { loadOptimiserConfig } from './optimiser.config';
import { OptimiserMetrics } from './optimiser.metrics';
import type { SiteChangesAdapter } from './site-changes.adapter';
import { type PlannerDeps, SitePlanner } from './site-planner';
import { SolverPool } from './solver-pool';

/**
 * Issue 25: the planner on its own (one run, no trigger), on the real PostgreSQL and Mosquitto: libs/residents'
 * ledger day seen at 12:32Z (the flats' meters live, the rest stale or silent), HiGHS in a solver thread.
 */
describe('SitePlanner: one run stores, publishes and fences its plan', () => {
  const site = ledgerSite('dynamic-default', `planned-${randomBytes(3).toString('hex')}`);
  const now = new Date(T0 + 32 * 60_000);
  const clock: Clock = { now: () => now, speedup: 1 };
  let database: TestDatabase;
  let db: DataSource;
  let client: mqtt.MqttClient;
  let solver: SolverPool;
  let deps: PlannerDeps;

  beforeAll(async () => {
    database = await createTestDatabase('ilot_planner');
    db = await openDatabase(database.url);
    await new ReadingRepository(db).insertBatch(ledgerReadings(site.id), now);
    client = await mqtt.connectAsync(TEST_MQTT_URL, { protocolVersion: 5, clientId: `planner-spec-${site.id}` });
    solver = new SolverPool('highs', 1);
    const metrics = new OptimiserMetrics(new Registry());
    const commands = new CommandRepository(db);
    deps = {
      clock,
      config: loadOptimiserConfig({}),
      mqtt: client,
      solver,
      readings: new ReadingRepository(db),
      statuses: new DeviceStatusRepository(db),
      plans: new PlanRepository(db),
      changes: undefined as unknown as SiteChangesAdapter, // only `start` listens: the test calls `run`
      signals: new SignalRepository(db),
      pvForecasts: new PvForecastRepository(db),
      metrics,
      dispatcherFor: (s) => new CommandDispatcher(s.id, client, commands, clock, metrics, 5),
    };
  }, 60_000);

  afterAll(async () => {
    await client?.publishAsync(`ilot/v1/${site.id}/schedule`, '', { qos: 1, retain: true });
    await client?.endAsync();
    await solver?.close();
    await db?.destroy();
    await database?.drop();
  });

  /** The retained schedule of the site, as a controller subscribing now receives it. */
  async function retainedSchedule(): Promise<Schedule | undefined> {
    const reader = await mqtt.connectAsync(TEST_MQTT_URL, { protocolVersion: 5 });
    try {
      const got = new Promise<Schedule | undefined>((resolve) => {
        reader.on('message', (_t, payload) =>
          resolve(payload.length ? (JSON.parse(payload.toString()) as Schedule) : undefined),
        );
        setTimeout(() => resolve(undefined), 1500);
      });
      await reader.subscribeAsync(`ilot/v1/${site.id}/schedule`, { qos: 1 });
      return await got;
    } finally {
      await reader.endAsync();
    }
  }

  // The meters read within 10 minutes are live; the shop's meter (last read 12:10) and the heat pump are left out, said
  // in staleInputs (the grid meter is the connection, not a planned input).
  it('plans with the live devices, names the others, stores the plan and publishes it retained', async () => {
    const planner = new SitePlanner(site, deps);
    const schedule = await planner.run({ cause: 'timer' });
    expect(schedule.status).toBe('optimal');
    expect(schedule.slots).toHaveLength(deps.config.ILOT_PLAN_HORIZON_SLOTS);
    expect(schedule.staleInputs!.map((e) => e.split(':')[0]).sort()).toEqual(['hp-1', 'm-3']);
    const stored = await deps.plans.latest<Schedule>(site.id);
    expect(stored?.document).toEqual(schedule);
    expect((await retainedSchedule())?.generatedAt).toBe(schedule.generatedAt);
    await planner.stop();
  });

  // A planner whose lease passed to another instance (paused, cut off) must publish and command nothing (issue 14).
  it('drops the plan of a run whose lease is no longer current: nothing stored, nothing published', async () => {
    const before = await deps.plans.latest<Schedule>(site.id);
    const planner = new SitePlanner(site, deps, {
      siteId: site.id,
      token: 7,
      holder: 'planner-x',
      isCurrent: async () => false,
    });
    const schedule = await planner.run({ cause: 'timer' });
    expect(schedule.lease).toEqual({ holder: 'planner-x', token: 7 });
    expect((await deps.plans.latest<Schedule>(site.id))?.id).toBe(before?.id);
    expect((await retainedSchedule())?.lease).toBeUndefined();
    await planner.stop();
  });
});
