import type { Reading } from '@ilot/domain';
import { chunksBySite } from './reading-batcher';

const reading = (siteId: string, seq: number): Reading => ({
  siteId,
  deviceId: 'm-1',
  ts: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)),
  seq,
  powerW: 100,
});

describe('chunksBySite: one site per insert, so each site is counted its own rows', () => {
  it.each([
    ['one site, under the size', ['a', 'a', 'a'], 5, [['a0', 'a1', 'a2']]],
    ['one site, cut at the size', ['a', 'a', 'a'], 2, [['a0', 'a1'], ['a2']]],
    [
      'two sites interleaved: grouped, arrival order kept within each',
      ['a', 'b', 'a', 'b', 'a'],
      2,
      [['a0', 'a2'], ['a4'], ['b1', 'b3']],
    ],
    ['nothing', [], 3, []],
  ])('%s', (_, sites, size, expected) => {
    const chunks = chunksBySite(
      (sites as string[]).map((site, seq) => reading(site, seq)),
      size as number,
    );
    expect(chunks.map((chunk) => chunk.map((r) => `${r.siteId}${r.seq}`))).toEqual(expected);
  });
});
