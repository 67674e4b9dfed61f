import { DataSource } from 'typeorm';
import { announceSiteChange } from './site-changes';

export class DeviceStatusRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Keeps every status in the history and applies it when it is the newest by its `ts`: a status older than the one in
   * force (an "offline" dated 1970, a QoS 1 redelivery, the Last Will of an earlier connection) is history only. A
   * Last Will carries the `ts` of the connection it guards, the same as that connection's "online" (docs/design.md):
   * at equal `ts` the "offline" wins. Returns whether it was applied; the planner hears of it only then.
   */
  async upsert(
    siteId: string,
    deviceId: string,
    state: 'online' | 'offline',
    ts: Date,
    receivedAt: Date,
  ): Promise<boolean> {
    const [{ applied }]: Array<{ applied: boolean }> = await this.db.query(
      `WITH applied AS (
         INSERT INTO device_status (site_id, device_id, state, ts, received_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (site_id, device_id) DO UPDATE SET state = EXCLUDED.state, ts = EXCLUDED.ts, received_at = EXCLUDED.received_at
           WHERE device_status.ts < EXCLUDED.ts OR (device_status.ts = EXCLUDED.ts AND EXCLUDED.state = 'offline')
         RETURNING 1),
       kept AS (
         INSERT INTO device_status_history (site_id, device_id, state, ts, received_at, applied)
         SELECT $1, $2, $3, $4, $5, EXISTS (SELECT 1 FROM applied))
       SELECT EXISTS (SELECT 1 FROM applied) AS applied`,
      [siteId, deviceId, state, ts.toISOString(), receivedAt.toISOString()],
    );
    // The planner re-plans on what ingestion commits, a device going offline included.
    if (applied) await announceSiteChange(this.db, siteId, 'status');
    return applied;
  }

  /** Devices whose last status is "offline", with when that was received. */
  async offlineDevices(siteId: string): Promise<Map<string, Date>> {
    const rows: Array<{ device_id: string; received_at: Date }> = await this.db.query(
      `SELECT device_id, received_at FROM device_status WHERE site_id = $1 AND state = 'offline'`,
      [siteId],
    );
    return new Map(rows.map((r) => [r.device_id, r.received_at]));
  }
}
