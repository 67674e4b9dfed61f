import mqtt from 'mqtt';
import { randomBytes } from 'node:crypto';
import { resendUnmatched } from './resend-unmatched';
import { TEST_MQTT_URL, waitFor } from './testing/broker';

/** On the real Mosquitto: a QoS 1 message nobody was subscribed to (PUBACK 0x10) is sent again until someone is. */
describe('resendUnmatched (real Mosquitto)', () => {
  const prefix = `resend-${randomBytes(3).toString('hex')}`;
  let publisher: mqtt.MqttClient;
  let subscriber: mqtt.MqttClient | undefined;

  beforeEach(async () => {
    publisher = await mqtt.connectAsync(TEST_MQTT_URL, { protocolVersion: 5 });
  });
  afterEach(async () => {
    await publisher.endAsync();
    await subscriber?.endAsync();
  });

  it('sends the matching topics again until a subscriber takes them; leaves the others', async () => {
    const counts = resendUnmatched(publisher, { topics: (t) => t.endsWith('/telemetry'), delayMs: 100, maxSends: 50 });
    for (let k = 0; k < 5; k++) await publisher.publishAsync(`${prefix}/a/telemetry`, `reading-${k}`, { qos: 1 });
    await publisher.publishAsync(`${prefix}/a/status`, 'online', { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 350)); // nobody listens: each sent again ~3 times meanwhile
    subscriber = await mqtt.connectAsync(TEST_MQTT_URL, { protocolVersion: 5 });
    const received: string[] = [];
    subscriber.on('message', (topic, payload) => received.push(`${topic.slice(prefix.length)} ${payload.toString()}`));
    await subscriber.subscribeAsync(`${prefix}/#`, { qos: 1 });
    await waitFor('the five readings', async () => received.length >= 5, 5000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(received.sort()).toEqual([0, 1, 2, 3, 4].map((k) => `/a/telemetry reading-${k}`));
    expect(counts().resent).toBeGreaterThanOrEqual(10);
    expect(counts().givenUp).toBe(0);
  });

  it('gives a message up after maxSends sends', async () => {
    const counts = resendUnmatched(publisher, { topics: () => true, delayMs: 20, maxSends: 3 });
    await publisher.publishAsync(`${prefix}/b/telemetry`, 'lost', { qos: 1 });
    await waitFor('given up', async () => counts().givenUp === 1, 5000);
    expect(counts()).toEqual({ resent: 2, givenUp: 1, waiting: 0 });
  });
});
