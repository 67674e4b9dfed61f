import { waitFor } from '@ilot/mqtt/testing/broker';
import { topics } from '@ilot/protocol';
import { randomUUID } from 'node:crypto';
import mqtt, { type MqttClient } from 'mqtt';

/** A message seen on the site's topics, its JSON payload and when (real ms). */
export interface SeenMessage {
  topic: string;
  payload: Record<string, unknown>;
  at: number;
}

/**
 * What the gateway's tests watch: every message on a site's topics (its devices' telemetry, statuses, acks and the
 * commands the test publishes), on the real broker. Retained statuses cleared at the end are empty: not kept.
 */
export class SiteMessages {
  readonly seen: SeenMessage[] = [];

  private constructor(
    readonly client: MqttClient,
    private readonly siteId: string,
  ) {}

  static async watch(url: string, siteId: string): Promise<SiteMessages> {
    const client = await mqtt.connectAsync(url, {
      protocolVersion: 5,
      clientId: `ilot-test.${siteId}-${randomUUID()}`,
    });
    const messages = new SiteMessages(client, siteId);
    client.on('message', (topic, payload) => {
      if (payload.length) messages.seen.push({ topic, payload: JSON.parse(payload.toString()), at: Date.now() });
    });
    await client.subscribeAsync(`ilot/v1/${siteId}/#`, { qos: 1 });
    return messages;
  }

  /** The newest message of a device's topic (`telemetry`, `status`, `command/ack`). */
  latest(deviceId: string, kind: string): SeenMessage | undefined {
    const topic = `ilot/v1/${this.siteId}/${deviceId}/${kind}`;
    return [...this.seen].reverse().find((s) => s.topic === topic);
  }

  /**
   * Publishes a command to a device (`body`: its type and fields; valid from a second ago for `validForMs`) and waits
   * for its ack: the ack's payload and how long after the publish it came (real ms).
   */
  async command(
    deviceId: string,
    body: Record<string, unknown>,
    validForMs: number,
    timeoutMs = 10_000,
  ): Promise<{ cmdId: string; ack: Record<string, unknown>; ackMs: number }> {
    const now = Date.now();
    const cmdId = randomUUID();
    await this.client.publishAsync(
      topics.command(this.siteId, deviceId),
      JSON.stringify({
        cmdId,
        issuedAt: new Date(now).toISOString(),
        reason: 'edge test',
        validFrom: new Date(now - 1000).toISOString(),
        validUntil: new Date(now + validForMs).toISOString(),
        ...body,
      }),
      { qos: 1 },
    );
    const ackTopic = topics.commandAck(this.siteId, deviceId);
    const ack = await waitFor(
      `the ack of ${cmdId}`,
      async () => this.seen.find((s) => s.topic === ackTopic && s.payload.cmdId === cmdId),
      timeoutMs,
      50,
    );
    return { cmdId, ack: ack.payload, ackMs: ack.at - now };
  }

  /** Clears the devices' retained statuses the gateway left, then disconnects. */
  async close(deviceIds: readonly string[]): Promise<void> {
    for (const deviceId of deviceIds)
      await this.client.publishAsync(topics.status(this.siteId, deviceId), '', { retain: true, qos: 1 });
    await this.client.endAsync();
  }
}
