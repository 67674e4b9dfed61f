import { EventEmitter } from 'node:events';
import type { IPublishPacket, MqttClient } from 'mqtt';
import { DeferredPubacks } from './deferred-pubacks';

/** The slice of mqtt.js 5 the adapter touches: `_sendPacket`, 'close', `stream`; `deliver` does what mqtt.js does for a QoS 1 PUBLISH. */
function fakeClient() {
  const sent: number[] = [];
  const client = Object.assign(new EventEmitter(), {
    stream: { cork: () => undefined, uncork: () => undefined },
    _sendPacket(packet: { cmd: string; messageId?: number }, cb?: () => void) {
      if (packet.cmd === 'puback') sent.push(packet.messageId!);
      cb?.();
    },
  });
  /** How many times mqtt.js's reader was told to take the next packet. */
  const reader = { released: 0 };
  // What mqtt.js does after emitting a message: send its PUBACK through the (wrapped) packet writer, then read on when called back.
  const sendPuback = (messageId: number) =>
    client._sendPacket({ cmd: 'puback', messageId }, () => void reader.released++);
  const deliver = (acks: DeferredPubacks, messageId: number) => {
    const safe = acks.hold({ cmd: 'publish', qos: 1, messageId } as IPublishPacket);
    sendPuback(messageId);
    return safe;
  };
  return { client: client as unknown as MqttClient & EventEmitter, sent, deliver, sendPuback, reader };
}

describe('DeferredPubacks', () => {
  it('sends each PUBACK only once its message is safe, in arrival order whatever order they become safe in', () => {
    const { client, sent, deliver } = fakeClient();
    const acks = new DeferredPubacks(client);
    const [a, b, c] = [1, 2, 3].map((id) => deliver(acks, id));
    expect(sent).toEqual([]);
    c();
    b();
    expect(sent).toEqual([]);
    expect(acks.held).toBe(3);
    a();
    expect(sent).toEqual([1, 2, 3]);
    expect(acks.held).toBe(0);
  });

  // Regression: Mosquitto 2.0.11 resuming a session with a 100k backlog ignored Receive Maximum and
  // reused packet identifiers still in flight; keyed by identifier, the adapter lost track and crashed.
  it('keeps two in-flight messages with the same packet identifier apart, and acks each once, in order', () => {
    const { client, sent, deliver } = fakeClient();
    const acks = new DeferredPubacks(client);
    const first = deliver(acks, 7);
    const other = deliver(acks, 8);
    const second = deliver(acks, 7);
    second();
    other();
    expect(sent).toEqual([]);
    first();
    expect(sent).toEqual([7, 8, 7]);
  });

  it('stops reading past maxHeld unacknowledged messages and reads on once one is acked (memory bounded whatever the broker sends)', () => {
    const { client, sent, deliver, reader } = fakeClient();
    const acks = new DeferredPubacks(client, 2);
    const [a] = [1, 2].map((id) => deliver(acks, id));
    expect(reader.released).toBe(2);
    deliver(acks, 3);
    expect(reader.released).toBe(2); // the third message is one too many: the reader waits
    a();
    expect(sent).toEqual([1]);
    expect(reader.released).toBe(3);
  });

  it('drops what is held when the connection closes: the broker redelivers it, and a late "safe" sends nothing', () => {
    const { client, sent, deliver } = fakeClient();
    const acks = new DeferredPubacks(client);
    const safe = deliver(acks, 1);
    client.emit('close');
    safe();
    expect(sent).toEqual([]);
    expect(acks.held).toBe(0);
    deliver(acks, 1)();
    expect(sent).toEqual([1]);
  });

  it('passes other packets and QoS 0 messages straight through', () => {
    const { client, sent, sendPuback } = fakeClient();
    const acks = new DeferredPubacks(client);
    acks.hold({ cmd: 'publish', qos: 0 } as IPublishPacket)();
    sendPuback(9);
    expect(sent).toEqual([9]);
  });
});
