import type { Reading } from '@ilot/domain';
import { DataSource } from 'typeorm';

/** Channel on which ingestion announces committed readings (payload: site id). */
export const READINGS_CHANNEL = 'ilot_readings';

export interface LatestReading {
  deviceId: string;
  ts: Date;
  powerW: number;
  socPct: number | null;
}

export interface BucketPower {
  bucket: Date;
  powerW: number;
  /** How many devices contributed to the bucket. */
  devices: number;
}

/** All the SQL on `readings`. */
export class ReadingRepository {
  constructor(private readonly db: DataSource) {}

  /** Inserts a batch in one statement; a reading already stored (same site, device, ts) is a duplicate, not an error. */
  async insertBatch(readings: readonly Reading[], receivedAt: Date): Promise<{ inserted: number; duplicates: number }> {
    if (readings.length === 0) return { inserted: 0, duplicates: 0 };
    const insertedRows: unknown[] = await this.db.query(
      `INSERT INTO readings (site_id, device_id, ts, seq, power_w, energy_wh, soc_pct, received_at)
       SELECT s, d, t, q, p, e, c, $8::timestamptz
         FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[], $5::float8[], $6::float8[], $7::float8[]) AS u(s, d, t, q, p, e, c)
       ON CONFLICT (site_id, device_id, ts) DO NOTHING
       RETURNING 1`,
      [
        readings.map((r) => r.siteId),
        readings.map((r) => r.deviceId),
        readings.map((r) => r.ts.toISOString()),
        readings.map((r) => r.seq),
        readings.map((r) => r.powerW),
        readings.map((r) => r.energyWh ?? null),
        readings.map((r) => r.socPct ?? null),
        receivedAt.toISOString(),
      ],
    );
    const inserted = insertedRows.length;
    return { inserted, duplicates: readings.length - inserted };
  }

  async notifyCommitted(siteId: string): Promise<void> {
    await this.db.query('SELECT pg_notify($1, $2)', [READINGS_CHANNEL, siteId]);
  }

  /** The newest reading of every device of a site since `since`. */
  async latestPerDevice(siteId: string, since: Date): Promise<LatestReading[]> {
    const rows: Array<{ device_id: string; ts: Date; power_w: number; soc_pct: number | null }> = await this.db.query(
      `SELECT DISTINCT ON (device_id) device_id, ts, power_w, soc_pct
         FROM readings WHERE site_id = $1 AND ts >= $2
        ORDER BY device_id, ts DESC`,
      [siteId, since.toISOString()],
    );
    return rows.map((r) => ({ deviceId: r.device_id, ts: r.ts, powerW: r.power_w, socPct: r.soc_pct }));
  }

  /** Per bucket: each device's mean power, summed over the devices given. */
  async bucketedSum(siteId: string, deviceIds: readonly string[], from: Date, to: Date, bucketMinutes: number): Promise<BucketPower[]> {
    const rows: Array<{ bucket: Date; power_w: number; devices: string }> = await this.db.query(
      `SELECT bucket, sum(mean_w) AS power_w, count(*) AS devices
         FROM (SELECT device_id, date_bin(make_interval(mins => $5), ts, TIMESTAMPTZ '2000-01-01 00:00:00Z') AS bucket, avg(power_w) AS mean_w
                 FROM readings
                WHERE site_id = $1 AND device_id = ANY($2) AND ts >= $3 AND ts < $4
                GROUP BY 1, 2) per_device
        GROUP BY bucket ORDER BY bucket`,
      [siteId, deviceIds, from.toISOString(), to.toISOString(), bucketMinutes],
    );
    return rows.map((r) => ({ bucket: r.bucket, powerW: Number(r.power_w), devices: Number(r.devices) }));
  }

  /** Stored readings of one device, raw or as bucket means. */
  async forDevice(
    siteId: string,
    deviceId: string,
    from: Date,
    to: Date,
    bucketMinutes?: number,
  ): Promise<Array<{ ts: Date; powerW: number; socPct: number | null; seq?: number }>> {
    if (bucketMinutes) {
      const rows: Array<{ ts: Date; power_w: number; soc_pct: number | null }> = await this.db.query(
        `SELECT date_bin(make_interval(mins => $5), ts, TIMESTAMPTZ '2000-01-01 00:00:00Z') AS ts, avg(power_w) AS power_w, avg(soc_pct) AS soc_pct
           FROM readings WHERE site_id = $1 AND device_id = $2 AND ts >= $3 AND ts < $4
          GROUP BY 1 ORDER BY 1`,
        [siteId, deviceId, from.toISOString(), to.toISOString(), bucketMinutes],
      );
      return rows.map((r) => ({ ts: r.ts, powerW: r.power_w, socPct: r.soc_pct }));
    }
    const rows: Array<{ ts: Date; power_w: number; soc_pct: number | null; seq: string }> = await this.db.query(
      `SELECT ts, power_w, soc_pct, seq FROM readings
        WHERE site_id = $1 AND device_id = $2 AND ts >= $3 AND ts < $4 ORDER BY ts LIMIT 100000`,
      [siteId, deviceId, from.toISOString(), to.toISOString()],
    );
    return rows.map((r) => ({ ts: r.ts, powerW: r.power_w, socPct: r.soc_pct, seq: Number(r.seq) }));
  }
}
