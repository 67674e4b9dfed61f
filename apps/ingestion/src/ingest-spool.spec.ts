import { appendFileSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngestSpool, type SpooledMessage } from './ingest-spool';

const message = (k: number): SpooledMessage => ({
  topic: `ilot/v1/s/m-${k}/telemetry`,
  payload: Buffer.from(JSON.stringify({ ts: '2026-12-01T00:00:00Z', seq: k, powerW: 100 + k })),
  receivedAt: new Date(Date.UTC(2026, 11, 1, 0, 0, k)),
});

/** The spool on a real disk (a temporary folder): what it keeps, in what order, within what bound. */
describe('the ingester’s spool (issue 30 §3)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'ilot-spool-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps messages on disk in arrival order, byte for byte, and gives them back oldest segment first', async () => {
    const spool = new IngestSpool(dir, 1_000_000, 600);
    const kept = await Promise.all(Array.from({ length: 20 }, (_, k) => spool.append(message(k))));
    expect(kept.every(Boolean)).toBe(true);
    expect(spool.holds).toBe(true);
    const back: SpooledMessage[] = [];
    for (let segment = spool.oldest(); segment; segment = spool.oldest()) {
      expect(segment.torn).toBe(0);
      back.push(...segment.messages);
      spool.remove(segment);
    }
    expect(back).toEqual(Array.from({ length: 20 }, (_, k) => message(k)));
    expect(spool.bytes).toBe(0);
    expect(spool.holds).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses past its bound, writing nothing of what it refuses', async () => {
    const oneLine = Buffer.byteLength(
      JSON.stringify({
        t: message(1).topic,
        p: message(1).payload.toString('base64'),
        r: message(1).receivedAt.toISOString(),
      }) + '\n',
    );
    const spool = new IngestSpool(dir, oneLine * 3);
    const kept = await Promise.all([1, 2, 3, 4, 5].map((k) => spool.append(message(k))));
    expect(kept).toEqual([true, true, true, false, false]);
    expect(spool.bytes).toBe(oneLine * 3);
    expect(spool.oldest()!.messages.map((m) => JSON.parse(m.payload.toString()).seq)).toEqual([1, 2, 3]);
  });

  it('finds a spool left by a crash at start, skipping a line the crash tore (never acknowledged)', async () => {
    const before = new IngestSpool(dir, 1_000_000);
    await before.append(message(1));
    await before.append(message(2));
    before.close();
    const [file] = readdirSync(dir);
    appendFileSync(join(dir, file), '{"t":"ilot/v1/s/m-3/tele');
    const after = new IngestSpool(dir, 1_000_000);
    expect(after.holds).toBe(true);
    const segment = after.oldest()!;
    expect(segment.messages).toEqual([message(1), message(2)]);
    expect(segment.torn).toBe(1);
    // A new message after the restart goes to a new segment, after the old one.
    await after.append(message(4));
    after.remove(segment);
    expect(after.oldest()!.messages).toEqual([message(4)]);
  });
});
