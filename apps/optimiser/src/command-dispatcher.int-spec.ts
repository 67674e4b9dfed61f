import { SystemClock } from '@ilot/domain';
import { commandPayloadSchema, CommandPayload } from '@ilot/protocol';
import { CommandRepository, openDatabase } from '@ilot/timeseries';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import mqtt, { MqttClient } from 'mqtt';
import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { TEST_MQTT_URL, waitFor } from '@ilot/mqtt/testing/broker';
import { BatteryController } from '@ilot/simulators';
import { CommandDispatcher } from './command-dispatcher';
import { OptimiserMetrics } from './optimiser.metrics';

/**
 * A building controller on the real broker that loses its first `dropAcks` answers: it decides
 * with the simulators' BatteryController (a cmdId applied once, answered again the same way).
 */
async function controller(siteId: string, deviceId: string, dropAcks: number) {
  const client = await mqtt.connectAsync(TEST_MQTT_URL, { protocolVersion: 5 });
  const battery = new BatteryController({ maxChargeW: 100_000, maxDischargeW: 100_000 });
  const received: string[] = [];
  let toDrop = dropAcks;
  client.on('message', (_topic, payload) => {
    const command = commandPayloadSchema.parse(JSON.parse(payload.toString()));
    received.push(command.cmdId);
    const decision = battery.receive(command, new Date());
    if (toDrop-- > 0) return;
    void client.publishAsync(
      `ilot/v1/${siteId}/${deviceId}/command/ack`,
      JSON.stringify({ cmdId: command.cmdId, ...decision, ts: new Date().toISOString() }),
      {
        qos: 1,
      },
    );
  });
  await client.subscribeAsync(`ilot/v1/${siteId}/${deviceId}/command`, { qos: 1 });
  return { client, battery, received };
}

describe('CommandDispatcher on the real Mosquitto and PostgreSQL: acks, retries, audit', () => {
  let database: TestDatabase;
  let db: DataSource;
  let optimiserMqtt: MqttClient;
  const siteId = `retry-${randomUUID().slice(0, 8)}`;
  const registry = new Registry();
  const metrics = new OptimiserMetrics(registry);
  let dispatcher: CommandDispatcher;
  let repository: CommandRepository;

  const command = (): CommandPayload => {
    const now = new Date();
    return {
      cmdId: randomUUID(),
      type: 'battery.setpoint',
      issuedAt: now.toISOString(),
      validFrom: now.toISOString(),
      validUntil: new Date(now.getTime() + 60_000).toISOString(),
      setpointW: -20_000,
      reason: 'self-consumption',
    };
  };
  const counter = async (status: string) =>
    (await registry.getSingleMetric('ilot_commands_total')!.get()).values.find((v) => v.labels.status === status)
      ?.value ?? 0;

  beforeAll(async () => {
    database = await createTestDatabase();
    db = await openDatabase(database.url);
    repository = new CommandRepository(db);
    optimiserMqtt = await mqtt.connectAsync(TEST_MQTT_URL, { protocolVersion: 5 });
    dispatcher = new CommandDispatcher(siteId, optimiserMqtt, repository, new SystemClock(), metrics, 5, {
      // Regression (CI under load): at 300 ms a slow third ack let a fourth send out first; a second is far above any
      // ack's round trip here, so the count of sends is the controller's doing, not the machine's load.
      ackTimeoutMs: 1000,
      maxRetries: 3,
    });
    await dispatcher.start();
  });
  afterAll(async () => {
    await dispatcher.close();
    await optimiserMqtt.endAsync();
    await db.destroy();
    await database.drop();
  });

  // Regression: the retry was audited after its send and its ack wait armed after it, so a fast ack was
  // recorded before "retried" and a spurious "unacknowledged" alert followed an applied command.
  it('sends a command whose acks are lost again with the same cmdId until one arrives: applied once, every step audited', async () => {
    const device = await controller(siteId, 'bat-a', 2);
    try {
      const sent = command();
      await dispatcher.dispatch('bat-a', sent, null as unknown as string);
      await waitFor(
        'the third answer',
        async () => (await repository.find(sent.cmdId))?.ackStatus === 'applied',
        10_000,
      );
      expect(device.received).toEqual([sent.cmdId, sent.cmdId, sent.cmdId]);
      expect(device.battery.applied).toBe(1);
      expect((await repository.auditTrail(sent.cmdId)).map((e) => e.event)).toEqual([
        'issued',
        'retried',
        'retried',
        'applied',
      ]);
      expect(await counter('retried')).toBe(2);
    } finally {
      await device.client.endAsync();
    }
  });

  it('gives up after the bounded retries, records the command as unacknowledged and raises the alert counter', async () => {
    const device = await controller(siteId, 'bat-b', Infinity);
    try {
      const sent = command();
      await dispatcher.dispatch('bat-b', sent, null as unknown as string);
      await waitFor(
        'the give-up',
        async () => (await repository.auditTrail(sent.cmdId)).some((e) => e.event === 'unacknowledged'),
        10_000,
      );
      expect(device.received).toHaveLength(4); // the first send and 3 retries
      expect(device.battery.applied).toBe(1);
      expect((await repository.auditTrail(sent.cmdId)).map((e) => e.event)).toEqual([
        'issued',
        'retried',
        'retried',
        'retried',
        'unacknowledged',
      ]);
      expect(await counter('unacknowledged')).toBe(1);
      expect((await repository.find(sent.cmdId))?.ackStatus).toBeNull();
    } finally {
      await device.client.endAsync();
    }
  });

  it('stops receiving a site’s acks from the broker once closed (a site handed to another planner)', async () => {
    const otherSite = `${siteId}-handed`;
    const client = await mqtt.connectAsync(TEST_MQTT_URL, { protocolVersion: 5 });
    const ofSite = new CommandDispatcher(otherSite, client, repository, new SystemClock(), metrics, 5, {
      ackTimeoutMs: 300,
      maxRetries: 0,
    });
    const arrived: string[] = [];
    client.on('message', (topic) => arrived.push(topic));
    const publisher = await mqtt.connectAsync(TEST_MQTT_URL, { protocolVersion: 5 });
    const ack = (n: number) =>
      publisher.publishAsync(`ilot/v1/${otherSite}/bat-z/command/ack`, `{"n":${n}}`, { qos: 1 });
    try {
      await ofSite.start();
      await ack(1);
      await waitFor('the ack while the site is held', async () => arrived.length === 1, 5000);
      await ofSite.close();
      await ack(2);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(arrived).toHaveLength(1);
    } finally {
      await publisher.endAsync();
      await client.endAsync();
    }
  });
});
