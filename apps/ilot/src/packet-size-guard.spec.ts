import mqttPacket from 'mqtt-packet';
import { PacketSizeGuard } from './packet-size-guard';

const packet = (payloadBytes: number) =>
  mqttPacket.generate({
    cmd: 'publish',
    topic: 'ilot/v1/demo/m-1/telemetry',
    payload: Buffer.alloc(payloadBytes, 'x'),
    qos: 0,
    retain: false,
    dup: false,
  });

describe('PacketSizeGuard (issue 26: 40 MB CONNECT packets were buffered by the embedded broker)', () => {
  it.each([
    ['a small packet', [packet(100)], undefined],
    ['packets up to the limit, one after another', [packet(1000), packet(2000), packet(1000)], undefined],
    ['a packet above the limit, said by its header alone', [packet(10_000).subarray(0, 5)], 10_000 + 2 + 26 + 3],
    [
      'the oversized packet after a good one, split byte by byte',
      [...Buffer.concat([packet(10), packet(5000)])].map((b) => Uint8Array.of(b)),
      5000 + 2 + 26 + 3,
    ],
  ])('%s', (_, chunks, expected) => {
    const guard = new PacketSizeGuard(4096);
    let verdict: number | undefined;
    for (const chunk of chunks) verdict ??= guard.feed(chunk);
    expect(verdict).toBe(expected);
  });

  it('refuses a Remaining Length of five bytes (malformed)', () => {
    expect(new PacketSizeGuard(4096).feed(Uint8Array.of(0x30, 0xff, 0xff, 0xff, 0xff, 0x01))).toBe(Infinity);
  });
});
