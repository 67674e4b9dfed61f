import type { Clock } from '@ilot/domain';
import { TEST_MQTT_URL, waitFor } from '@ilot/mqtt/testing/broker';
import { topics } from '@ilot/protocol';
import { createAppMqttClient, InboundRejects, loadRuntimeConfig, ReadinessRegistry, SiteCatalog } from '@ilot/runtime';
import { loadSiteFile } from '@ilot/site';
import {
  CommodityReadingRepository,
  DeviceStatusRepository,
  openDatabase,
  PvForecastRepository,
  ReadingRepository,
  RejectedMessageRepository,
  SignalRepository,
} from '@ilot/timeseries';
import { createTestDatabase, type TestDatabase } from '@ilot/timeseries/testing/test-database';
import mqtt from 'mqtt';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { InboundHandler } from './inbound.handler';
import { loadIngestionConfig } from './ingestion.config';
import { IngestionMetrics } from './ingestion.metrics';
import { ReadingBatcher } from './reading-batcher';

/**
 * Issue 25: ingestion's MQTT edge on its own, on the real PostgreSQL and Mosquitto: each kind of inbound message
 * (telemetry, a gas meter's, status, signal, PV forecast) reaches its table; each refusal is kept with its reason;
 * stored readings are counted once, whatever the meter.
 */
describe('InboundHandler: every inbound message stored or refused with its reason', () => {
  const demo = loadSiteFile(join(__dirname, '..', '..', '..', 'sites', 'demo.yaml'));
  const site = { ...demo, id: `inbound-${randomBytes(3).toString('hex')}` };
  const clock: Clock = { now: () => new Date(), speedup: 1 };
  const registry = new Registry();
  let database: TestDatabase;
  let db: DataSource;
  let handler: InboundHandler;
  let device: mqtt.MqttClient;

  beforeAll(async () => {
    database = await createTestDatabase('ilot_inbound');
    db = await openDatabase(database.url);
    const runtime = loadRuntimeConfig({ ILOT_MQTT_URL: TEST_MQTT_URL, ILOT_DATABASE_URL: database.url });
    const config = loadIngestionConfig({ ILOT_INGEST_FLUSH_MS: '50' });
    const catalog = new SiteCatalog({ fixed: { site, source: 'spec', fingerprint: 'spec' } }, { list: async () => [] });
    await catalog.refresh();
    const metrics = new IngestionMetrics(registry);
    const clientId = `inbound-spec-${site.id}`;
    handler = new InboundHandler(
      (beforeConnect) =>
        createAppMqttClient(runtime, new ReadinessRegistry(), 'ingestion', { clientId }, beforeConnect),
      site,
      runtime,
      catalog,
      clock,
      config,
      new InboundRejects(site.id, registry, new RejectedMessageRepository(db)),
      new ReadingBatcher(new ReadingRepository(db), clock, metrics, {
        batchSize: config.ILOT_INGEST_BATCH_SIZE,
        flushMs: config.ILOT_INGEST_FLUSH_MS,
        writeConcurrency: config.ILOT_INGEST_WRITE_CONCURRENCY,
      }),
      new DeviceStatusRepository(db),
      new SignalRepository(db),
      new PvForecastRepository(db),
      new CommodityReadingRepository(db),
      metrics,
      null,
    );
    await handler.onModuleInit();
    device = await mqtt.connectAsync(TEST_MQTT_URL, { protocolVersion: 5, clientId: `device-${site.id}` });
  });

  afterAll(async () => {
    await device?.endAsync();
    await handler?.beforeApplicationShutdown();
    await db?.destroy();
    await database?.drop();
  });

  const publish = (topic: string, body: unknown) =>
    device.publishAsync(topic, typeof body === 'string' ? body : JSON.stringify(body), { qos: 1 });
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
  const rows = (sql: string, ...params: unknown[]) => db.query(sql, params) as Promise<Array<Record<string, unknown>>>;
  const counted = async (name: string) =>
    (await registry.getSingleMetric(name)!.get()).values.find((v) => v.labels.site === site.id)?.value ?? 0;

  it('stores each kind of message in its table', async () => {
    await publish(topics.telemetry(site.id, 'm-b-101'), { ts: ago(2000), seq: 1, powerW: 640 });
    await publish(topics.telemetry(site.id, 'g-b-101'), { ts: ago(2000), seq: 1, volumeM3: 0.2 });
    await publish(topics.status(site.id, 'bat-1'), { state: 'online', ts: ago(1000) });
    await publish(topics.signals(site.id), { type: 'tempo', date: tomorrow(), color: 'red' });
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    await publish(topics.forecast(site.id), {
      issuedAt: ago(60_000),
      source: 'spec',
      series: [1, 2].map((h) => ({ ts: new Date(hour + h * 3_600_000).toISOString(), pvW: 1000 * h })),
    });
    const reading = await waitFor(
      'the meter reading',
      async () => (await rows('SELECT power_w FROM readings WHERE site_id = $1', site.id))[0],
      10_000,
    );
    expect(Number(reading.power_w)).toBe(640);
    await waitFor(
      'the gas reading',
      async () => (await rows('SELECT 1 FROM commodity_readings WHERE site_id = $1', site.id)).length > 0,
      10_000,
    );
    const status = await waitFor(
      'the status',
      async () => (await rows('SELECT state FROM device_status WHERE site_id = $1', site.id))[0],
      10_000,
    );
    expect(status.state).toBe('online');
    const signal = await waitFor(
      'the Tempo day',
      async () => (await rows('SELECT type, key FROM signals WHERE site_id = $1', site.id))[0],
      10_000,
    );
    expect(signal).toEqual({ type: 'tempo', key: tomorrow() });
    const forecast = await waitFor(
      'the PV forecast',
      async () =>
        new PvForecastRepository(db).newest(
          site.id,
          new Date(hour - 3_600_000),
          new Date(hour),
          new Date(hour + 4 * 3_600_000),
        ),
      10_000,
    );
    expect(forecast.points.map((p) => p.pvW)).toEqual([1000, 2000]);
    // Stored readings are counted in one place: the electric and the gas reading, once each.
    expect(await counted('ilot_ingest_readings_total')).toBe(2);
  });

  it.each([
    ['not JSON', () => topics.telemetry(site.id, 'm-b-102'), '{"ts":', 'malformed_json'],
    [
      'a device the site does not have',
      () => topics.telemetry(site.id, 'no-such-meter'),
      () => ({ ts: ago(1000), seq: 1, powerW: 1 }),
      'unknown_device',
    ],
    [
      'dated an hour ahead',
      () => topics.telemetry(site.id, 'm-b-102'),
      () => ({ ts: ago(-3_600_000), seq: 1, powerW: 1 }),
      'future',
    ],
    [
      'a status of a device the site does not have',
      () => topics.status(site.id, 'no-such-device'),
      () => ({ state: 'online', ts: ago(1000) }),
      'unknown_device',
    ],
    [
      'a forecast for a meter, not a PV array',
      () => topics.forecast(site.id),
      () => ({ issuedAt: ago(1000), series: [{ ts: ago(-3_600_000), pvW: 1, device: 'm-b-101' }] }),
      'out_of_range',
    ],
  ])('keeps %s as refused, with its reason', async (_, topic, body, reason) => {
    const text = typeof body === 'string' ? body : JSON.stringify(body());
    await publish(topic(), text);
    const refused = await waitFor(
      `the refusal of ${text}`,
      async () => (await rows('SELECT reason FROM rejected_messages WHERE payload = $1', text))[0],
      10_000,
    );
    expect(refused.reason).toBe(reason);
  });

  it('refuses a reading that comes again with another value, naming what is stored', async () => {
    const ts = ago(5000);
    await publish(topics.telemetry(site.id, 'm-b-102'), { ts, seq: 7, powerW: 300 });
    await waitFor(
      'the first reading',
      async () =>
        (await rows("SELECT 1 FROM readings WHERE device_id = 'm-b-102' AND site_id = $1", site.id)).length > 0,
      10_000,
    );
    await publish(topics.telemetry(site.id, 'm-b-102'), { ts, seq: 7, powerW: 900 });
    const refused = await waitFor(
      'the conflicting reading refused',
      async () =>
        (
          await rows(
            "SELECT reason, detail FROM rejected_messages WHERE reason = 'duplicate' AND topic LIKE $1",
            `%${site.id}%`,
          )
        )[0],
      10_000,
    );
    expect(refused.detail).toContain('powerW 300');
    expect(refused.detail).toContain('this one says powerW 900');
    const stored = await rows("SELECT power_w FROM readings WHERE device_id = 'm-b-102' AND site_id = $1", site.id);
    expect(stored.map((r) => Number(r.power_w))).toEqual([300]);
  });

  // Issue 26: a meter inflated its own bill by backdating: `volumeL: 1e9` dated 20 s back was stored and
  // flat-b-101's month showed 1 000 000 m³; a meter's first reading was never bounded either.
  it("refuses a water quantity dated before the meter's last reading, and a first one above what an hour can count", async () => {
    const refusal = (body: object) =>
      waitFor(
        `the refusal of ${JSON.stringify(body)}`,
        async () =>
          (await rows('SELECT reason, detail FROM rejected_messages WHERE payload = $1', JSON.stringify(body)))[0],
        10_000,
      );
    // Messages are taken concurrently: each one goes once the one before it is stored or refused.
    const first = { ts: ago(10_000), seq: 1, volumeL: 1e9 };
    await publish(topics.telemetry(site.id, 'w-b-101'), first);
    expect(await refusal(first)).toMatchObject({ reason: 'out_of_range' });
    const now = { ts: ago(5000), seq: 2, volumeL: 3 };
    await publish(topics.telemetry(site.id, 'w-b-101'), now);
    await waitFor(
      "the meter's last reading",
      async () =>
        (await rows("SELECT 1 FROM commodity_readings WHERE site_id = $1 AND device_id = 'w-b-101'", site.id)).length >
        0,
      10_000,
    );
    const backdated = { ts: ago(20_000), seq: 3, volumeL: 1e9 };
    await publish(topics.telemetry(site.id, 'w-b-101'), backdated);
    expect((await refusal(backdated)).reason).toBe('out_of_order');
    const stored = await rows(
      "SELECT quantity FROM commodity_readings WHERE site_id = $1 AND device_id = 'w-b-101'",
      site.id,
    );
    expect(stored.map((r) => Number(r.quantity))).toEqual([3]);
  });
});

function tomorrow(): string {
  return new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
}
