import type { EvSession, Reading } from '@ilot/domain';
import { DataSource } from 'typeorm';
import { newestPerDevice } from './newest-per-device';
import { booleanArrayLiteral, instantArrayLiteral, numberArrayLiteral, textArrayLiteral } from './pg-array';

/** A charger's session in force and the instant its telemetry reported it. */
export interface StoredEvSession {
  deviceId: string;
  ts: Date;
  session: EvSession;
}

/** All the SQL on `ev_sessions`: each charger's newest reported session. */
export class EvSessionRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Keeps, per charger, the newest session of the readings given (one by `ts`): an older one, a redelivery or a late
   * backlog, never replaces a fresher one. Idempotent, so a retried batch writes the same.
   */
  async upsertNewest(readings: readonly Reading[], receivedAt: Date): Promise<void> {
    const rows = newestPerDevice(readings, (r) => r.evSession);
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT INTO ev_sessions (site_id, device_id, ts, plugged, energy_needed_wh, departure, max_w, received_at)
       SELECT u.s, u.d, u.t, u.p, u.e, u.dep, u.m, $8
         FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::boolean[], $5::float8[], $6::timestamptz[],
                     $7::float8[]) AS u(s, d, t, p, e, dep, m)
       ON CONFLICT (site_id, device_id) DO UPDATE
          SET ts = EXCLUDED.ts, plugged = EXCLUDED.plugged, energy_needed_wh = EXCLUDED.energy_needed_wh,
              departure = EXCLUDED.departure, max_w = EXCLUDED.max_w, received_at = EXCLUDED.received_at
        WHERE ev_sessions.ts < EXCLUDED.ts`,
      [
        textArrayLiteral(rows.map(({ reading }) => reading.siteId)),
        textArrayLiteral(rows.map(({ reading }) => reading.deviceId)),
        textArrayLiteral(rows.map(({ reading }) => reading.ts.toISOString())),
        booleanArrayLiteral(rows.map(({ state }) => state.plugged)),
        numberArrayLiteral(rows.map(({ state }) => state.energyNeededWh)),
        instantArrayLiteral(rows.map(({ state }) => state.departure)),
        numberArrayLiteral(rows.map(({ state }) => state.maxW)),
        receivedAt.toISOString(),
      ],
    );
  }

  /** The session in force of each charger of a site, reported at or after `since` (an older one is stale). */
  async latest(siteId: string, since: Date): Promise<StoredEvSession[]> {
    const rows: Array<{
      device_id: string;
      ts: Date;
      plugged: boolean;
      energy_needed_wh: number | null;
      departure: Date | null;
      max_w: number | null;
    }> = await this.db.query(
      `SELECT device_id, ts, plugged, energy_needed_wh, departure, max_w
         FROM ev_sessions WHERE site_id = $1 AND ts >= $2 ORDER BY device_id`,
      [siteId, since.toISOString()],
    );
    return rows.map((r) => ({
      deviceId: r.device_id,
      ts: r.ts,
      session: {
        plugged: r.plugged,
        ...(r.energy_needed_wh === null ? {} : { energyNeededWh: r.energy_needed_wh }),
        ...(r.departure === null ? {} : { departure: r.departure }),
        ...(r.max_w === null ? {} : { maxW: r.max_w }),
      },
    }));
  }
}
