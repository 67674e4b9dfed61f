import type { IClientPublishOptions, MqttClient } from 'mqtt';

/** MQTT 5 PUBACK reason code 0x10: the broker took the message, and no subscription matched it. */
export const NO_MATCHING_SUBSCRIBERS = 0x10;

/** What docs/design.md asks of a controller for its telemetry: again every second, ten sends in all (a 10 s gap). */
export const TELEMETRY_RESEND = { delayMs: 1000, maxSends: 10 } as const;

export interface ResendUnmatchedOptions {
  /** Which messages are worth sending again (e.g. telemetry, not a status superseded by the next). */
  topics: (topic: string) => boolean;
  /** Wait before sending one again, ms. */
  delayMs: number;
  /** Give up on a message after this many sends in all. */
  maxSends: number;
}

/**
 * A publisher's side of "lose nothing" when nobody is subscribed for a moment: a QoS 1 message whose PUBACK says
 * 0x10 No matching subscribers reached no one (MQTT 5, 3.4.2.1), so it is sent again after `delayMs`, up to
 * `maxSends` sends. What it covers: the gap after a broker restart before the ingesters subscribe again (Mosquitto
 * 2.0.11 restores persistent sessions without their shared subscriptions), or an ingestion not deployed yet. Returns
 * how many messages were sent again and how many given up so far, and how many wait to be sent again now (a publisher
 * that stops should wait for none).
 */
export function resendUnmatched(
  client: MqttClient,
  options: ResendUnmatchedOptions,
): () => { resent: number; givenUp: number; waiting: number } {
  const sent = new Map<number, { topic: string; payload: Buffer | string; publish: IClientPublishOptions }>();
  /** How many times each message not delivered yet has been sent, by topic and payload. */
  const sends = new Map<string, number>();
  const keyOf = (topic: string, payload: Buffer | string) => `${topic}\n${payload.toString()}`;
  const counts = { resent: 0, givenUp: 0 };
  let ended = false;
  client.on('end', () => (ended = true));
  client.on('packetsend', (packet) => {
    if (packet.cmd !== 'publish' || !packet.qos || packet.messageId === undefined) return;
    if (!options.topics(packet.topic)) return;
    sent.set(packet.messageId, {
      topic: packet.topic,
      payload: packet.payload,
      publish: { qos: packet.qos, properties: packet.properties },
    });
  });
  client.on('packetreceive', (packet) => {
    if (packet.cmd !== 'puback' || packet.messageId === undefined) return;
    const message = sent.get(packet.messageId);
    sent.delete(packet.messageId);
    if (!message) return;
    const key = keyOf(message.topic, message.payload);
    const sendsSoFar = sends.get(key) ?? 1;
    if (packet.reasonCode !== NO_MATCHING_SUBSCRIBERS || sendsSoFar >= options.maxSends) {
      sends.delete(key);
      if (packet.reasonCode === NO_MATCHING_SUBSCRIBERS) counts.givenUp++;
      return;
    }
    sends.set(key, sendsSoFar + 1);
    setTimeout(() => {
      if (ended || client.disconnecting) return;
      counts.resent++;
      client.publish(message.topic, message.payload, message.publish);
    }, options.delayMs).unref();
  });
  // Waiting: acknowledged "no matching subscribers" and not delivered since (nor given up).
  return () => ({ ...counts, waiting: sends.size });
}
