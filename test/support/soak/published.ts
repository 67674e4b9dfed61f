import type { Client } from 'pg';

interface DeviceCount {
  siteId: string;
  deviceId: string;
  /** Readings the broker acknowledged (PUBACK). */
  acked: number;
  /** Readings whose publish failed: maybe stored (the broker had them), maybe not; never counted as lost. */
  failed: string[];
  /** Readings sent and not settled yet (a session dropped with them in flight settles them never): as `failed` at the end. */
  pending: Set<string>;
}

export interface ReadBack {
  devices: number;
  published: number;
  stored: number;
  /** Acknowledged readings not stored. */
  lost: number;
  /** Stored readings no publisher sent (none can be stored twice: the key is site, device, instant). */
  extra: number;
  failedPublishes: number;
  /** The devices with a difference, for the diagnosis. */
  differences: string[];
}

/** What the simulated devices published, per device, as their publishes settled (the soak's "counted by the publishers"). */
export class PublishedReadings {
  private readonly devices = new Map<string, DeviceCount>();

  note(siteId: string, deviceId: string, ts: string, state: 'sent' | 'acked' | 'failed'): void {
    const key = `${siteId}/${deviceId}`;
    let count = this.devices.get(key);
    if (!count) this.devices.set(key, (count = { siteId, deviceId, acked: 0, failed: [], pending: new Set() }));
    if (state === 'sent') return void count.pending.add(ts);
    count.pending.delete(ts);
    if (state === 'acked') count.acked++;
    else count.failed.push(ts);
  }

  get acked(): number {
    let sum = 0;
    for (const c of this.devices.values()) sum += c.acked;
    return sum;
  }

  /**
   * Reads every device's readings back (electricity and the other commodities): each acknowledged one must be stored
   * once, nothing else; a failed publish may be either.
   */
  async readBack(db: Client): Promise<ReadBack> {
    // Counted from the rollups, which count every reading stored: the raw readings of residents without consent go
    // after OPERATION_WINDOW_DAYS (libs/residents, privacy retention), the rollups stay.
    const stored = new Map<string, number>();
    const rows = await db.query<{ site_id: string; device_id: string; n: string }>(
      `SELECT site_id, device_id, sum(samples) AS n FROM readings_15m GROUP BY 1, 2
       UNION ALL SELECT site_id, device_id, sum(readings) AS n FROM commodity_1h GROUP BY 1, 2`,
    );
    for (const r of rows.rows) stored.set(`${r.site_id}/${r.device_id}`, Number(r.n));
    const result: ReadBack = {
      devices: this.devices.size,
      published: 0,
      stored: 0,
      lost: 0,
      extra: 0,
      failedPublishes: 0,
      differences: [],
    };
    for (const [key, count] of this.devices) {
      // What was in flight when its session dropped: the broker may have it or not, and nobody will say.
      count.failed.push(...count.pending);
      count.pending.clear();
      const n = stored.get(key) ?? 0;
      stored.delete(key);
      const storedOfFailed = count.failed.length > 0 ? await storedAmong(db, count) : 0;
      const lost = count.acked - (n - storedOfFailed);
      result.published += count.acked;
      result.stored += n;
      result.failedPublishes += count.failed.length;
      if (lost > 0) result.lost += lost;
      if (lost < 0) result.extra += -lost;
      if (lost !== 0 && result.differences.length < 5)
        result.differences.push(`${key}: ${count.acked} acknowledged, ${n} stored${await holes(db, count)}`);
    }
    for (const [key, n] of stored) {
      result.extra += n;
      result.stored += n;
      result.differences.push(`${key}: ${n} stored, none published`);
    }
    return result;
  }
}

/** Where a device's stored readings have a hole (more than 1.5 times their usual spacing), for the diagnosis. */
async function holes(db: Client, count: DeviceCount): Promise<string> {
  const rows = await db.query<{ prev: Date; ts: Date }>(
    `WITH r AS (SELECT ts, lag(ts) OVER (ORDER BY ts) AS prev FROM readings WHERE site_id = $1 AND device_id = $2),
          usual AS (SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY ts - prev) AS step FROM r WHERE prev IS NOT NULL)
     SELECT prev, ts FROM r, usual WHERE ts - prev > 1.5 * usual.step ORDER BY ts LIMIT 3`,
    [count.siteId, count.deviceId],
  );
  const first = await db.query<{ min: Date; max: Date }>(
    `SELECT min(ts), max(ts) FROM readings WHERE site_id = $1 AND device_id = $2`,
    [count.siteId, count.deviceId],
  );
  const span = first.rows[0].min
    ? ` from ${first.rows[0].min.toISOString()} to ${first.rows[0].max.toISOString()}`
    : '';
  return `${span}; holes: ${rows.rows.map((r) => `${r.prev.toISOString()} -> ${r.ts.toISOString()}`).join(', ') || 'none'}`;
}

async function storedAmong(db: Client, count: DeviceCount): Promise<number> {
  const result = await db.query<{ n: string }>(
    `SELECT (SELECT count(*) FROM readings WHERE site_id = $1 AND device_id = $2 AND ts = ANY($3::timestamptz[]))
          + (SELECT count(*) FROM commodity_readings WHERE site_id = $1 AND device_id = $2 AND ts = ANY($3::timestamptz[])) AS n`,
    [count.siteId, count.deviceId, count.failed],
  );
  return Number(result.rows[0].n);
}
