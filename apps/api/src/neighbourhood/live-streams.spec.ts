import type { Request } from 'express';
import { NEVER, of } from 'rxjs';
import type { ApiConfig } from '../api.config';
import { LiveStreams } from './live-streams';

const config = { ILOT_LIVE_PUSH_S: 5, ILOT_LIVE_MAX_STREAMS: 3, ILOT_LIVE_MAX_STREAMS_PER_ADDRESS: 2 } as ApiConfig;
const from = (ip: string) => ({ ip, socket: {} }) as unknown as Request;

describe('LiveStreams (issue 26: live streams without a cap, each reading the database)', () => {
  it.each([
    [
      'a third stream from one address',
      ['a', 'a', 'a'],
      /too many live streams from a \(2, ILOT_LIVE_MAX_STREAMS_PER_ADDRESS\)/,
    ],
    ['a fourth stream in all', ['a', 'b', 'c', 'd'], /too many live streams open \(3, ILOT_LIVE_MAX_STREAMS\)/],
  ])('refuses %s with 429 and the reason', (_, addresses, reason) => {
    const streams = new LiveStreams(config);
    const open = addresses.slice(0, -1).map((ip) => streams.admit(from(ip), NEVER).subscribe());
    let refusal: { getStatus(): number; message: string } | undefined;
    try {
      streams.admit(from(addresses.at(-1)!), of(1)).subscribe();
    } catch (error) {
      refusal = error as typeof refusal;
    }
    expect(refusal?.getStatus()).toBe(429);
    expect(refusal?.message).toMatch(reason);
    open.forEach((s) => s.unsubscribe());
  });

  it('counts a stream while it is subscribed, and releases it once', () => {
    const streams = new LiveStreams(config);
    const open = streams.admit(from('a'), NEVER).subscribe();
    expect(streams.openCount).toBe(1);
    open.unsubscribe();
    open.unsubscribe();
    expect(streams.openCount).toBe(0);
    // Its address may open two again.
    streams.admit(from('a'), NEVER).subscribe();
    expect(() => streams.admit(from('a'), NEVER)).not.toThrow();
  });

  it.each([
    ['the same round', 1000, 1],
    ['half a push period later', 2500, 2],
    ['the next round', 5000, 2],
  ])('shares one reading among the streams of a page within %s', async (_, laterMs, reads) => {
    const streams = new LiveStreams(config);
    let count = 0;
    const read = async () => ++count;
    await Promise.all([streams.shared('lobby:x', read, 0), streams.shared('lobby:x', read, 10)]);
    await streams.shared('lobby:x', read, laterMs);
    expect(count).toBe(reads);
    // Another page reads its own.
    await streams.shared('lobby:y', read, laterMs);
    expect(count).toBe(reads + 1);
  });
});
