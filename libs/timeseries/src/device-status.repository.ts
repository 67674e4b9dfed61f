import { DataSource } from 'typeorm';

export class DeviceStatusRepository {
  constructor(private readonly db: DataSource) {}

  /** Keeps the newest status of each device (an older retained message never overwrites a newer one). */
  async upsert(siteId: string, deviceId: string, state: 'online' | 'offline', ts: Date, receivedAt: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO device_status (site_id, device_id, state, ts, received_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (site_id, device_id) DO UPDATE SET state = EXCLUDED.state, ts = EXCLUDED.ts, received_at = EXCLUDED.received_at
       WHERE device_status.ts <= EXCLUDED.ts`,
      [siteId, deviceId, state, ts.toISOString(), receivedAt.toISOString()],
    );
  }

  async offlineDevices(siteId: string): Promise<string[]> {
    const rows: Array<{ device_id: string }> = await this.db.query(`SELECT device_id FROM device_status WHERE site_id = $1 AND state = 'offline'`, [siteId]);
    return rows.map((r) => r.device_id);
  }
}
