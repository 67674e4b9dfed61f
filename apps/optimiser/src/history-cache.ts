import { HOUR_MS } from '@ilot/domain';

/** One slot's mean power of a group of devices (summed). */
export interface HistorySample {
  at: Date;
  powerW: number;
}

/** Reads the slot means of a group of devices over [from, to) from the store (ReadingRepository.bucketedSum). */
export type HistoryRead = (deviceIds: string[], from: Date, to: Date) => Promise<HistorySample[]>;

/** The last slots read again at every top-up: a reading that comes late (a spool replayed, a backlog) enters them. */
export const HISTORY_REREAD_MS = 2 * HOUR_MS;
/** The whole window read again this often: a reading later than the re-read enters the plans' history by then. */
export const HISTORY_REBUILD_MS = 6 * HOUR_MS;

/**
 * A planner's history of slot means, per group of devices, kept between plans (issue 30 §5): the first plan reads the
 * window (7 days), each later one only the slots since the last (and the last HISTORY_REREAD_MS again), dropping those
 * that left the window; the whole window is read again every HISTORY_REBUILD_MS. A planner starts with an empty cache
 * (a site changed, a site taken over), so it is rebuilt then. `from` and `to` are slot boundaries.
 */
export class HistoryCache {
  private readonly groups = new Map<string, { toMs: number; builtMs: number; slots: Map<number, number> }>();
  /** Slots read from the store, in all (the bench's and the tests' measure of the work saved). */
  slotsRead = 0;

  constructor(private readonly read: HistoryRead) {}

  async samples(deviceIds: string[], from: Date, to: Date): Promise<HistorySample[]> {
    const key = deviceIds.join('\u0000');
    const known = this.groups.get(key);
    const fresh =
      known &&
      known.toMs > from.getTime() &&
      known.toMs <= to.getTime() &&
      to.getTime() - known.builtMs < HISTORY_REBUILD_MS;
    const readFrom = fresh ? new Date(Math.max(from.getTime(), known.toMs - HISTORY_REREAD_MS)) : from;
    const rows = await this.read(deviceIds, readFrom, to);
    this.slotsRead += rows.length;
    const group = fresh ? known : { toMs: 0, builtMs: to.getTime(), slots: new Map<number, number>() };
    for (const ms of group.slots.keys()) if (ms < from.getTime() || ms >= readFrom.getTime()) group.slots.delete(ms);
    for (const row of rows) group.slots.set(row.at.getTime(), row.powerW);
    group.toMs = to.getTime();
    this.groups.set(key, group);
    return [...group.slots].sort(([a], [b]) => a - b).map(([ms, powerW]) => ({ at: new Date(ms), powerW }));
  }
}
