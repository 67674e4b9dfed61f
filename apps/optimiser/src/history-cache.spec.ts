import { DAY_MS, HOUR_MS, MINUTE_MS } from '@ilot/domain';
import { HISTORY_REBUILD_MS, HISTORY_REREAD_MS, HistoryCache, type HistorySample } from './history-cache';

const SLOT_MS = 15 * MINUTE_MS;
const T0 = Date.UTC(2026, 11, 1);
const WEEK_MS = 7 * DAY_MS;

/** A store of slot means (a fake of bucketedSum: the cache's logic only), counting the slots each read returns. */
function store() {
  const slots = new Map<number, number>();
  const reads: Array<{ from: number; to: number }> = [];
  const read = async (_ids: string[], from: Date, to: Date): Promise<HistorySample[]> => {
    reads.push({ from: from.getTime(), to: to.getTime() });
    return [...slots]
      .filter(([ms]) => ms >= from.getTime() && ms < to.getTime())
      .sort(([a], [b]) => a - b)
      .map(([ms, powerW]) => ({ at: new Date(ms), powerW }));
  };
  const fill = (fromMs: number, toMs: number) => {
    for (let ms = fromMs; ms < toMs; ms += SLOT_MS) slots.set(ms, (ms / SLOT_MS) % 997);
  };
  return { slots, reads, read, fill };
}

/** The window [to - 7 days, to) at the plan of `to`. */
const window = (toMs: number) => [new Date(toMs - WEEK_MS), new Date(toMs)] as const;

describe('HistoryCache (issue 30 §5): a plan reads the slots since the last one, and gets what a full read gives', () => {
  it('reads the whole window once, then only the new slots and the re-read ones, dropping those that left', async () => {
    const s = store();
    s.fill(T0 - WEEK_MS, T0 + DAY_MS);
    const cache = new HistoryCache(s.read);
    const first = await cache.samples(['m-1'], ...window(T0));
    expect(first).toHaveLength(WEEK_MS / SLOT_MS);
    const next = T0 + SLOT_MS;
    const second = await cache.samples(['m-1'], ...window(next));
    expect(s.reads.at(-1)).toEqual({ from: T0 - HISTORY_REREAD_MS, to: next });
    expect(cache.slotsRead).toBe(WEEK_MS / SLOT_MS + HISTORY_REREAD_MS / SLOT_MS + 1);
    expect(second).toEqual(await s.read(['m-1'], ...window(next)));
  });

  it.each([
    ['a reading late by an hour (re-read)', HOUR_MS, true],
    ['a reading late by three hours (not re-read: in at the next rebuild)', 3 * HOUR_MS, false],
  ])('takes %s', async (_, lateMs, seenAtOnce) => {
    const s = store();
    s.fill(T0 - WEEK_MS, T0 + DAY_MS);
    const cache = new HistoryCache(s.read);
    await cache.samples(['m-1'], ...window(T0));
    const slot = T0 - lateMs;
    s.slots.set(slot, 123_456);
    const next = await cache.samples(['m-1'], ...window(T0 + SLOT_MS));
    expect(next.find((x) => x.at.getTime() === slot)!.powerW === 123_456).toBe(seenAtOnce);
    // By the rebuild, the whole window is read again: the late reading is in whatever its delay.
    const rebuilt = await cache.samples(['m-1'], ...window(T0 + HISTORY_REBUILD_MS));
    expect(rebuilt).toEqual(await s.read(['m-1'], ...window(T0 + HISTORY_REBUILD_MS)));
  });

  it('keeps each group of devices apart, and reads all again after a gap longer than the window', async () => {
    const s = store();
    s.fill(T0 - WEEK_MS, T0 + 2 * WEEK_MS);
    const cache = new HistoryCache(s.read);
    await cache.samples(['m-1'], ...window(T0));
    await cache.samples(['pv-1'], ...window(T0));
    expect(s.reads).toHaveLength(2);
    const later = T0 + WEEK_MS + DAY_MS;
    expect(await cache.samples(['m-1'], ...window(later))).toEqual(await s.read(['m-1'], ...window(later)));
    expect(s.reads.at(-2)).toEqual({ from: later - WEEK_MS, to: later });
  });
});
