import type { MqttClient, IPublishPacket } from 'mqtt';

type SendPacket = (
  packet: { cmd: string; messageId?: number },
  cb?: (error?: Error) => void,
  ...rest: unknown[]
) => void;

interface Held {
  messageId: number;
  safe: boolean;
  /** Sends the parked PUBACK; set when mqtt.js tries to send it. */
  ack?: () => void;
}

/**
 * At-least-once for a consumer: the PUBACK of a QoS 1 message goes out only once the consumer
 * says the message is safe (its rows committed, or its rejection stored), and in the order the
 * messages arrived (MQTT-4.6.0-2).
 *
 * mqtt.js sends the PUBACK right after emitting 'message' and reads the next packet only once it
 * is written, so `customHandleAcks` holding its callback would take one message at a time. This
 * adapter instead wraps the client's packet writer: a PUBACK of a held message is parked and the
 * reader goes on at once. Unacknowledged messages count against the broker's inflight window
 * (MQTT 5 Receive Maximum), so a slow database makes the broker keep the rest in the session.
 *
 * Mosquitto 2.0.11 ignores Receive Maximum when it resumes a session with a backlog (measured:
 * 76k messages sent unacknowledged, packet identifiers reused while still in flight). Entries are
 * therefore kept by arrival, not by packet identifier: PUBACKs still go out one per message in
 * arrival order, which is the order the broker matches them in; and past `maxHeld` held messages
 * the adapter stops mqtt.js's reader (it withholds the write callback mqtt.js waits for before
 * the next packet), so the socket fills and TCP holds the broker back: memory stays bounded
 * whatever the broker does. `held` exposes the count so the app can report it. A lost connection drops the parked PUBACKs (the broker redelivers those
 * messages; storage is idempotent). Relies on mqtt.js 5 internals (`_sendPacket`, which sends a
 * message's PUBACK right after emitting it): pinned to major 5, covered by unit and integration tests.
 */
export class DeferredPubacks {
  /** Held messages in arrival order; `head` is the first not yet acknowledged (a queue without O(n) shifts). */
  private order: Held[] = [];
  private head = 0;
  /** The message mqtt.js has just emitted, whose PUBACK it is about to send. */
  private justEmitted: Held | undefined;
  private readonly originalSend: SendPacket;
  private generation = 0;
  /** mqtt.js's "take the next packet" callback, parked while too many messages are held. */
  private parkedReader: (() => void) | undefined;

  /** `maxHeld`: past this many unacknowledged messages the reader stops taking packets (TCP backpressure) until some are acked. */
  constructor(
    private readonly client: MqttClient,
    private readonly maxHeld = Infinity,
  ) {
    const internals = client as unknown as { _sendPacket: SendPacket };
    this.originalSend = internals._sendPacket.bind(client);
    internals._sendPacket = (packet, cb, ...rest) => {
      const held = this.justEmitted;
      if (packet.cmd !== 'puback' || !held || held.messageId !== packet.messageId)
        return this.originalSend(packet, cb, ...rest);
      this.justEmitted = undefined;
      held.ack = () => this.originalSend(packet, undefined, ...rest);
      // Let the reader take the next packet now, unless the broker overruns the window (see above).
      if (this.held > this.maxHeld) this.parkedReader = () => cb?.();
      else cb?.();
      this.release();
    };
    client.on('close', () => this.dropAll());
  }

  /** Messages received and not yet acknowledged. */
  get held(): number {
    return this.order.length - this.head;
  }

  /**
   * Holds the PUBACK of a QoS 1 message; call the returned function when the message is safe.
   * Call it synchronously from the 'message' handler (before mqtt.js writes the PUBACK).
   */
  hold(packet: IPublishPacket): () => void {
    if (packet.qos !== 1 || packet.messageId === undefined) return () => undefined;
    const held: Held = { messageId: packet.messageId, safe: false };
    const generation = this.generation;
    this.order.push(held);
    this.justEmitted = held;
    return () => {
      if (generation !== this.generation) return; // the connection it came on is gone
      held.safe = true;
      this.release();
    };
  }

  /** Sends the PUBACKs at the head of the arrival order whose messages are safe, in one socket write. */
  private release(): void {
    let corked = false;
    while (this.head < this.order.length) {
      const held = this.order[this.head];
      if (!held.safe || !held.ack) break;
      if (!corked) {
        this.client.stream?.cork();
        corked = true;
      }
      this.head++;
      held.ack();
    }
    if (corked) this.client.stream?.uncork();
    if (this.parkedReader && this.held <= this.maxHeld) {
      const resume = this.parkedReader;
      this.parkedReader = undefined;
      resume();
    }
    if (this.head > 1024 && this.head * 2 > this.order.length) {
      this.order = this.order.slice(this.head);
      this.head = 0;
    }
  }

  private dropAll(): void {
    this.generation++;
    this.order = [];
    this.head = 0;
    this.justEmitted = undefined;
    // The parked reader belonged to the closed connection's stream; mqtt.js reads a new one with a new reader.
    this.parkedReader = undefined;
  }
}
