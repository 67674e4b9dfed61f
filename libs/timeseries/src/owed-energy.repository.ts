import type { Reading } from '@ilot/domain';
import { DataSource } from 'typeorm';
import { newestPerDevice } from './newest-per-device';
import { numberArrayLiteral, textArrayLiteral } from './pg-array';

/** A sheddable load's energy owed and the instant its telemetry reported it. */
export interface StoredOwedEnergy {
  deviceId: string;
  ts: Date;
  owedWh: number;
}

/** All the SQL on `owed_energy`: each sheddable load's newest reported debt. */
export class OwedEnergyRepository {
  constructor(private readonly db: DataSource) {}

  /** Keeps, per load, the newest debt of the readings given (by `ts`): idempotent, an older one never replaces a fresher one. */
  async upsertNewest(readings: readonly Reading[], receivedAt: Date): Promise<void> {
    const rows = newestPerDevice(readings, (r) => r.owedWh);
    if (rows.length === 0) return;
    await this.db.query(
      `INSERT INTO owed_energy (site_id, device_id, ts, owed_wh, received_at)
       SELECT u.s, u.d, u.t, u.o, $5
         FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::float8[]) AS u(s, d, t, o)
       ON CONFLICT (site_id, device_id) DO UPDATE
          SET ts = EXCLUDED.ts, owed_wh = EXCLUDED.owed_wh, received_at = EXCLUDED.received_at
        WHERE owed_energy.ts < EXCLUDED.ts`,
      [
        textArrayLiteral(rows.map(({ reading }) => reading.siteId)),
        textArrayLiteral(rows.map(({ reading }) => reading.deviceId)),
        textArrayLiteral(rows.map(({ reading }) => reading.ts.toISOString())),
        numberArrayLiteral(rows.map(({ state }) => state)),
        receivedAt.toISOString(),
      ],
    );
  }

  /** The debt of each sheddable load of a site, reported at or after `since` (an older one is stale). */
  async latest(siteId: string, since: Date): Promise<StoredOwedEnergy[]> {
    const rows: Array<{ device_id: string; ts: Date; owed_wh: number }> = await this.db.query(
      `SELECT device_id, ts, owed_wh FROM owed_energy WHERE site_id = $1 AND ts >= $2 ORDER BY device_id`,
      [siteId, since.toISOString()],
    );
    return rows.map((r) => ({ deviceId: r.device_id, ts: r.ts, owedWh: r.owed_wh }));
  }
}
