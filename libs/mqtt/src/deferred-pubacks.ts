import type { MqttClient, IPublishPacket } from 'mqtt';

type SendPacket = (packet: { cmd: string; messageId?: number }, cb?: (error?: Error) => void, ...rest: unknown[]) => void;

/**
 * At-least-once for a consumer: the PUBACK of a QoS 1 message goes out only once the consumer
 * says the message is safe (its rows committed, or its rejection stored), and in the order the
 * messages arrived (MQTT-4.6.0-2).
 *
 * mqtt.js sends the PUBACK right after emitting 'message' and reads the next packet only once it
 * is written, so `customHandleAcks` holding its callback would take one message at a time. This
 * adapter instead wraps the client's packet writer: a PUBACK of a held message is parked and the
 * reader goes on at once. Unacknowledged messages count against the broker's inflight window
 * (MQTT 5 Receive Maximum), so a slow database makes the broker keep the rest in the session:
 * memory here stays bounded by that window. A lost connection drops the parked PUBACKs (the
 * broker redelivers those messages; storage is idempotent). Relies on mqtt.js 5 internals
 * (`_sendPacket`): pinned to major 5, covered by the ingestion integration tests.
 */
export class DeferredPubacks {
  private readonly order: number[] = [];
  private readonly states = new Map<number, { safe: boolean; ack?: () => void }>();
  private readonly originalSend: SendPacket;
  private generation = 0;

  constructor(private readonly client: MqttClient) {
    const internals = client as unknown as { _sendPacket: SendPacket };
    this.originalSend = internals._sendPacket.bind(client);
    internals._sendPacket = (packet, cb, ...rest) => {
      const state = packet.cmd === 'puback' && packet.messageId !== undefined ? this.states.get(packet.messageId) : undefined;
      if (!state) return this.originalSend(packet, cb, ...rest);
      state.ack = () => this.originalSend(packet, undefined, ...rest);
      cb?.(); // let the reader take the next packet now
      this.release();
    };
    client.on('close', () => this.dropAll());
  }

  /**
   * Holds the PUBACK of a QoS 1 message; call the returned function when the message is safe.
   * Call it synchronously from the 'message' handler (before mqtt.js writes the PUBACK).
   */
  hold(packet: IPublishPacket): () => void {
    if (packet.qos !== 1 || packet.messageId === undefined) return () => undefined;
    const messageId = packet.messageId;
    const generation = this.generation;
    this.order.push(messageId);
    this.states.set(messageId, { safe: false });
    return () => {
      if (generation !== this.generation) return; // the connection it came on is gone
      const state = this.states.get(messageId);
      if (!state) return;
      state.safe = true;
      this.release();
    };
  }

  /** Sends the PUBACKs at the head of the arrival order whose messages are safe. */
  private release(): void {
    while (this.order.length > 0) {
      const state = this.states.get(this.order[0])!;
      if (!state.safe || !state.ack) return;
      this.states.delete(this.order.shift()!);
      state.ack();
    }
  }

  private dropAll(): void {
    this.generation++;
    this.order.length = 0;
    this.states.clear();
  }
}
