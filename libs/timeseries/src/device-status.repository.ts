import { DataSource } from 'typeorm';
import { announceSiteChange } from './site-changes';

export class DeviceStatusRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Keeps the last status received for each device. Ordered by arrival, not by `ts`: a Last Will is
   * composed when the device connects, so it carries a `ts` older than the "online" that follows it,
   * yet it is the newer news. The retained status a broker sends on (re)subscription is its latest one.
   */
  async upsert(
    siteId: string,
    deviceId: string,
    state: 'online' | 'offline',
    ts: Date,
    receivedAt: Date,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO device_status (site_id, device_id, state, ts, received_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (site_id, device_id) DO UPDATE SET state = EXCLUDED.state, ts = EXCLUDED.ts, received_at = EXCLUDED.received_at`,
      [siteId, deviceId, state, ts.toISOString(), receivedAt.toISOString()],
    );
    // The planner re-plans on what ingestion commits, a device going offline included.
    await announceSiteChange(this.db, siteId);
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
