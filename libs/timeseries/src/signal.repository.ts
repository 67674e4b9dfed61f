import type { SignalPayload } from '@ilot/protocol';
import { localDayStart } from '@ilot/domain';
import { DataSource } from 'typeorm';
import { announceSiteChange } from './site-changes';

/** A stored signal: its payload as received (validated on the way in), its period and its key. */
export interface StoredSignal {
  type: SignalPayload['type'];
  key: string;
  startsAt: Date;
  endsAt: Date;
  payload: SignalPayload;
}

interface SignalRow {
  type: StoredSignal['type'];
  key: string;
  starts_at: Date;
  ends_at: Date;
  payload: SignalPayload;
}

const fromRow = (r: SignalRow): StoredSignal => ({
  type: r.type,
  key: r.key,
  startsAt: r.starts_at,
  endsAt: r.ends_at,
  payload: r.payload,
});

/** All the SQL on `signals`. */
export class SignalRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Stores a validated signal under its key (an order's id, an EcoWatt period's start, a Tempo date) and
   * period (a Tempo day runs 06:00 to 06:00 local); the same key again replaces it. The planner (which LISTENs to
   * the site changes) hears of it. Returns what was stored.
   */
  async storePayload(siteId: string, signal: SignalPayload, timeZone: string, receivedAt: Date): Promise<StoredSignal> {
    const stored = storedSignal(signal, timeZone);
    await this.upsert(siteId, stored, receivedAt);
    await announceSiteChange(this.db, siteId, 'signals');
    return stored;
  }

  /** Stores a signal; the same (type, key) again replaces it (an aggregator revising its order). */
  async upsert(siteId: string, signal: StoredSignal, receivedAt: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO signals (site_id, type, key, starts_at, ends_at, payload, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (site_id, type, key) DO UPDATE
         SET starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at, payload = EXCLUDED.payload, received_at = EXCLUDED.received_at`,
      [
        siteId,
        signal.type,
        signal.key,
        signal.startsAt.toISOString(),
        signal.endsAt.toISOString(),
        JSON.stringify(signal.payload),
        receivedAt.toISOString(),
      ],
    );
  }

  async find(siteId: string, type: StoredSignal['type'], key: string): Promise<StoredSignal | undefined> {
    const rows: SignalRow[] = await this.db.query(
      'SELECT type, key, starts_at, ends_at, payload FROM signals WHERE site_id = $1 AND type = $2 AND key = $3',
      [siteId, type, key],
    );
    return rows.map(fromRow)[0];
  }

  /** Signals whose period overlaps [from, to). */
  async overlapping(siteId: string, from: Date, to: Date): Promise<StoredSignal[]> {
    const rows: SignalRow[] = await this.db.query(
      `SELECT type, key, starts_at, ends_at, payload FROM signals WHERE site_id = $1 AND ends_at > $2 AND starts_at < $3 ORDER BY starts_at, type, key`,
      [siteId, from.toISOString(), to.toISOString()],
    );
    return rows.map(fromRow);
  }
}

function storedSignal(signal: SignalPayload, timeZone: string): StoredSignal {
  switch (signal.type) {
    case 'effacement':
      return {
        type: 'effacement',
        key: signal.id,
        startsAt: new Date(signal.start),
        endsAt: new Date(signal.end),
        payload: signal,
      };
    case 'ecowatt':
      return {
        type: 'ecowatt',
        key: signal.start,
        startsAt: new Date(signal.start),
        endsAt: new Date(signal.end),
        payload: signal,
      };
    case 'tempo': {
      const dayStart = localDayStart(signal.date, timeZone);
      return {
        type: 'tempo',
        key: signal.date,
        startsAt: new Date(dayStart.getTime() + 6 * 3_600_000),
        endsAt: new Date(dayStart.getTime() + 30 * 3_600_000),
        payload: signal,
      };
    }
  }
}
