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
  WeatherForecastRepository,
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
import type { SiteChangesAdapter } from '@ilot/runtime';
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
      weatherForecasts: new WeatherForecastRepository(db),
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

  /** The ledger's îlot with a battery whose state of charge was read 30 s ago: its plan commands it. */
  async function batterySite() {
    const base = ledgerSite('dynamic-default', `outbox-${randomBytes(3).toString('hex')}`);
    const battery = {
      id: 'bat-1',
      kind: 'battery' as const,
      capacityWh: 20_000,
      maxChargeW: 10_000,
      maxDischargeW: 10_000,
      minSocPct: 10,
      maxSocPct: 95,
      chargeEfficiency: 0.95,
      dischargeEfficiency: 0.95,
    };
    const withBattery = { ...base, devices: new Map([...base.devices, ['bat-1', { ...battery, buildingId: 'b' }]]) };
    const readings = new ReadingRepository(db);
    await readings.insertBatch(ledgerReadings(withBattery.id), now);
    await readings.insertBatch(
      [
        {
          siteId: withBattery.id,
          deviceId: 'bat-1',
          ts: new Date(now.getTime() - 30_000),
          seq: 1,
          powerW: 0,
          socPct: 50,
        },
      ],
      now,
    );
    return withBattery as typeof base;
  }

  // One outbox (issue 25): the plan and the commands it sends are stored in one transaction before anything goes out.
  it('stores the plan with its commands and their issued audit events, under the plan id, then sends them', async () => {
    const withBattery = await batterySite();
    const planner = new SitePlanner(withBattery, deps);
    await planner.run({ cause: 'timer' });
    await planner.stop();
    const stored = (await deps.plans.latest<Schedule>(withBattery.id))!;
    const commands = await db.query('SELECT device_id, plan_id, cmd_id FROM commands WHERE site_id = $1', [
      withBattery.id,
    ]);
    expect(commands.map((c: { device_id: string }) => c.device_id)).toEqual(['bat-1']);
    expect(String(commands[0].plan_id)).toBe(stored.id);
    const audit = await db.query('SELECT event FROM command_audit WHERE cmd_id = $1', [commands[0].cmd_id]);
    expect(audit.map((a: { event: string }) => a.event)).toContain('issued');
    await client.publishAsync(`ilot/v1/${withBattery.id}/schedule`, '', { qos: 1, retain: true });
  });

  it('publishes and sends nothing when the plan and its commands cannot be stored together', async () => {
    const withBattery = await batterySite();
    // The database refuses the battery's command row: the plan of the same transaction must not stay either.
    await db.query(`ALTER TABLE commands ADD CONSTRAINT spec_refuse CHECK (site_id <> '${withBattery.id}')`);
    const planner = new SitePlanner(withBattery, deps);
    try {
      await expect(planner.run({ cause: 'timer' })).rejects.toThrow(/spec_refuse/);
    } finally {
      await db.query('ALTER TABLE commands DROP CONSTRAINT spec_refuse');
      await planner.stop();
    }
    expect(await deps.plans.latest<Schedule>(withBattery.id)).toBeUndefined();
    const reader = await mqtt.connectAsync(TEST_MQTT_URL, { protocolVersion: 5 });
    const got: string[] = [];
    reader.on('message', (topic) => got.push(topic));
    await reader.subscribeAsync(`ilot/v1/${withBattery.id}/#`, { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await reader.endAsync();
    expect(got).toEqual([]);
  });
});
