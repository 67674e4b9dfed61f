import type { Reading } from '@ilot/domain';
import type { ReadingRepository } from '@ilot/timeseries';
import { Registry } from 'prom-client';
import { IngestionMetrics } from './ingestion.metrics';
import { chunksBySite, ReadingBatcher } from './reading-batcher';

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

describe('ReadingBatcher with a spill (issue 30 §3): a failed write keeps the messages elsewhere and acks them', () => {
  /** A database that fails while `down`, else stores (a fake: the batcher's logic only; the fault tests use PostgreSQL). */
  const database = () => {
    const stored: Reading[] = [];
    const state = { down: true, attempts: 0 };
    const repository = {
      insertBatch: async (chunk: Reading[]) => {
        state.attempts++;
        if (state.down) throw new Error('connection refused');
        stored.push(...chunk);
        return { inserted: chunk.length, duplicates: 0 };
      },
      conflicting: async () => [],
    } as unknown as ReadingRepository;
    return { stored, state, repository };
  };
  const clock = { now: () => new Date(), speedup: 1 };
  const metrics = () => new IngestionMetrics(new Registry());

  it('resolves each add at once with no conflict once its spill kept it, in order, and writes none of it', async () => {
    const db = database();
    const batcher = new ReadingBatcher(db.repository, clock, metrics(), { batchSize: 10, flushMs: 5, retryMs: 10 });
    const spilled: number[] = [];
    const spill = (seq: number) => async () => (spilled.push(seq), true);
    const done = await Promise.all([1, 2, 3].map((seq) => batcher.add([reading('a', seq)], spill(seq))));
    expect(done).toEqual([[], [], []]);
    expect(spilled).toEqual([1, 2, 3]);
    expect(db.stored).toEqual([]);
    expect(db.state.attempts).toBe(1);
  });

  it('regression (CI, a stock Mosquitto dropped readings at an outage): hands a batch to its spills all at once, not each after the last', async () => {
    const db = database();
    const batcher = new ReadingBatcher(db.repository, clock, metrics(), { batchSize: 100, flushMs: 5, retryMs: 10 });
    // A spool that writes what it was given in one sync, a turn later: a spill awaited one by one takes one sync each.
    const calls: number[] = [];
    let syncs = 0;
    let waiting: Array<() => void> = [];
    const spill = (seq: number) => () =>
      new Promise<boolean>((kept) => {
        calls.push(seq);
        if (waiting.length === 0)
          setImmediate(() => {
            syncs++;
            const now = waiting;
            waiting = [];
            now.forEach((done) => done());
          });
        waiting.push(() => kept(true));
      });
    const seqs = Array.from({ length: 50 }, (_, i) => i);
    const done = await Promise.all(seqs.map((seq) => batcher.add([reading('a', seq)], spill(seq))));
    expect(done).toEqual(seqs.map(() => []));
    expect(calls).toEqual(seqs);
    expect(syncs).toBe(1);
  });

  it('retries what its spill refused (a full spool) until the database is back, and stores it then', async () => {
    const db = database();
    const batcher = new ReadingBatcher(db.repository, clock, metrics(), { batchSize: 10, flushMs: 5, retryMs: 10 });
    const kept = batcher.add([reading('a', 1)], async () => true);
    const refused = batcher.add([reading('a', 2)], async () => false);
    const withoutSpill = batcher.add([reading('a', 3)]);
    expect(await kept).toEqual([]);
    setTimeout(() => (db.state.down = false), 50);
    expect(await Promise.all([refused, withoutSpill])).toEqual([[], []]);
    expect(db.stored.map((r) => r.seq)).toEqual([2, 3]);
    expect(db.state.attempts).toBeGreaterThan(2);
  });
});
