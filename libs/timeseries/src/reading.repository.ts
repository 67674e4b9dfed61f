import type { Reading } from '@ilot/domain';
import { DataSource } from 'typeorm';
import { EvSessionRepository, type StoredEvSession } from './ev-session.repository';
import { OwedEnergyRepository, type StoredOwedEnergy } from './owed-energy.repository';
import { numberArrayLiteral, textArrayLiteral } from './pg-array';
import { SITE_CHANGES_CHANNEL } from './site-changes';
import { markLate } from './ledger-marks';
import { AGGREGATES, type StorageMode } from './storage-policy';

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
  private readonly evSessions: EvSessionRepository;
  private readonly owedEnergy: OwedEnergyRepository;

  constructor(private readonly db: DataSource) {
    this.evSessions = new EvSessionRepository(db);
    this.owedEnergy = new OwedEnergyRepository(db);
  }

  private mode?: Promise<StorageMode>;

  /** Which storage path the database was migrated to; asked once. */
  storageMode(): Promise<StorageMode> {
    this.mode ??= detectStorageMode(this.db);
    return this.mode;
  }

  /**
   * Inserts a batch in one statement; a reading already stored (same site, device, ts) is a duplicate, not an error.
   * On plain PostgreSQL the same statement adds the new rows to the rollup tables, so they never disagree with `readings`.
   * At commit, listeners of SITE_CHANGES_CHANNEL hear of the sites that got new rows. The EV sessions the readings carry
   * and the energy the sheddable loads owe are stored first (ev_sessions, owed_energy), so a planner woken by the notice
   * sees them.
   */
  async insertBatch(readings: readonly Reading[], receivedAt: Date): Promise<{ inserted: number; duplicates: number }> {
    if (readings.length === 0) return { inserted: 0, duplicates: 0 };
    await this.evSessions.upsertNewest(readings, receivedAt);
    await this.owedEnergy.upsertNewest(readings, receivedAt);
    const rollups = (await this.storageMode()) === 'postgresql';
    const rows: Array<{ inserted: number }> = await this.db.query(rollups ? INSERT_WITH_ROLLUPS : INSERT_ONLY, [
      textArrayLiteral(readings.map((r) => r.siteId)),
      textArrayLiteral(readings.map((r) => r.deviceId)),
      textArrayLiteral(readings.map((r) => r.ts.toISOString())),
      numberArrayLiteral(readings.map((r) => r.seq)),
      numberArrayLiteral(readings.map((r) => r.powerW)),
      numberArrayLiteral(readings.map((r) => r.energyWh)),
      numberArrayLiteral(readings.map((r) => r.socPct)),
      receivedAt.toISOString(),
    ]);
    const inserted = rows[0].inserted;
    return { inserted, duplicates: readings.length - inserted };
  }

  /** The EV sessions of a site's chargers, reported at or after `since` (ev_sessions). */
  latestEvSessions(siteId: string, since: Date): Promise<StoredEvSession[]> {
    return this.evSessions.latest(siteId, since);
  }

  /** The energy each sheddable load of a site owes, reported at or after `since` (owed_energy). */
  latestOwedEnergy(siteId: string, since: Date): Promise<StoredOwedEnergy[]> {
    return this.owedEnergy.latest(siteId, since);
  }

  /**
   * Of readings that came as duplicates, those whose stored reading at the same (site, device, ts) differs (another
   * power or seq): a second value for an instant is not the same reading sent again, and is refused, not dropped.
   */
  async conflicting(
    readings: readonly Reading[],
  ): Promise<Array<{ reading: Reading; storedPowerW: number; storedSeq: number }>> {
    if (readings.length === 0) return [];
    const rows: Array<{ i: number; power_w: number; seq: string }> = await this.db.query(
      `SELECT u.i::int AS i, r.power_w, r.seq
         FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[], $5::float8[]) WITH ORDINALITY AS u(s, d, t, q, p, i)
         JOIN readings r ON r.site_id = u.s AND r.device_id = u.d AND r.ts = u.t
        WHERE r.power_w IS DISTINCT FROM u.p OR r.seq IS DISTINCT FROM u.q`,
      [
        textArrayLiteral(readings.map((r) => r.siteId)),
        textArrayLiteral(readings.map((r) => r.deviceId)),
        textArrayLiteral(readings.map((r) => r.ts.toISOString())),
        numberArrayLiteral(readings.map((r) => r.seq)),
        numberArrayLiteral(readings.map((r) => r.powerW)),
      ],
    );
    return rows.map((row) => ({ reading: readings[row.i - 1], storedPowerW: row.power_w, storedSeq: Number(row.seq) }));
  }

  /** The newest reading of each device given, stamped in [since, until]; one index probe per device. */
  async latestPerDevice(
    siteId: string,
    deviceIds: readonly string[],
    since: Date,
    until?: Date,
  ): Promise<LatestReading[]> {
    const rows: Array<{ device_id: string; ts: Date; power_w: number; soc_pct: number | null }> = await this.db.query(
      `SELECT d.device_id, r.ts, r.power_w, r.soc_pct
         FROM unnest($2::text[]) AS d(device_id)
         CROSS JOIN LATERAL (SELECT ts, power_w, soc_pct FROM readings
                              WHERE site_id = $1 AND device_id = d.device_id AND ts >= $3 AND ts <= $4
                              ORDER BY ts DESC LIMIT 1) r`,
      [siteId, deviceIds, since.toISOString(), until?.toISOString() ?? 'infinity'],
    );
    return rows.map((r) => ({ deviceId: r.device_id, ts: r.ts, powerW: r.power_w, socPct: r.soc_pct }));
  }

  /**
   * Per bucket: each device's mean power, summed over the devices given. Bucket widths that are a
   * multiple of an aggregate's (15 min, 1 h) are read from the aggregate, covering the buckets that
   * start in [from, to); other widths are computed from the raw readings in [from, to).
   */
  async bucketedSum(
    siteId: string,
    deviceIds: readonly string[],
    from: Date,
    to: Date,
    bucketMinutes: number,
  ): Promise<BucketPower[]> {
    const rows: Array<{ bucket: Date; power_w: number; devices: string }> = await this.db.query(
      // Summed in the devices' order: the same sum whatever range is read (the planner's cache tops up by slices).
      `SELECT bucket, sum(mean_w ORDER BY device_id) AS power_w, count(*) AS devices
         FROM (${perDeviceMeans(bucketMinutes)}) per_device
        GROUP BY bucket ORDER BY bucket`,
      [siteId, deviceIds, from.toISOString(), to.toISOString(), bucketMinutes],
    );
    return rows.map((r) => ({ bucket: r.bucket, powerW: Number(r.power_w), devices: Number(r.devices) }));
  }

  /** Per device and bucket, the device's mean power and SoC (as `bucketedSum`, without the sum), by bucket then device. */
  async bucketedByDevice(
    siteId: string,
    deviceIds: readonly string[],
    from: Date,
    to: Date,
    bucketMinutes: number,
  ): Promise<Array<{ deviceId: string; bucket: Date; powerW: number; socPct: number | null }>> {
    const rows: Array<{ device_id: string; bucket: Date; mean_w: number; soc_pct: number | null }> =
      await this.db.query(
        `SELECT device_id, bucket, mean_w, soc_pct FROM (${perDeviceMeans(bucketMinutes)}) per_device ORDER BY bucket, device_id`,
        [siteId, deviceIds, from.toISOString(), to.toISOString(), bucketMinutes],
      );
    return rows.map((r) => ({
      deviceId: r.device_id,
      bucket: r.bucket,
      powerW: Number(r.mean_w),
      socPct: r.soc_pct === null ? null : Number(r.soc_pct),
    }));
  }

  /**
   * The first and the last reading's timestamps of a site's devices, if they have any: two index probes per device, not
   * a scan of the site's history (the ledger asks at every run; regression: min and max over the site read all of it).
   */
  async span(siteId: string, deviceIds: readonly string[]): Promise<{ first: Date; last: Date } | undefined> {
    const rows: Array<{ first: Date | null; last: Date | null }> = await this.db.query(
      `SELECT min(f.ts) AS first, max(l.ts) AS last
         FROM unnest($2::text[]) AS d(device_id)
         LEFT JOIN LATERAL (SELECT ts FROM readings WHERE site_id = $1 AND device_id = d.device_id ORDER BY ts LIMIT 1) f ON true
         LEFT JOIN LATERAL (SELECT ts FROM readings WHERE site_id = $1 AND device_id = d.device_id ORDER BY ts DESC LIMIT 1) l ON true`,
      [siteId, deviceIds],
    );
    const { first, last } = rows[0];
    return first && last ? { first, last } : undefined;
  }

  /**
   * Readings missing among those stored in [from, to), by device: the gaps in each device's `seq` taken in time order
   * (a seq more than one above the one before it; a seq that falls is the device restarting its count, no gap). What a
   * controller numbered and never reached the table: lost on the way (a broker that dropped its queue) or refused.
   * Computed from the table, so it holds whatever instance ingested which reading.
   */
  async missingBySeq(siteId: string, from: Date, to: Date): Promise<Map<string, number>> {
    const rows: Array<{ device_id: string; missing: string }> = await this.db.query(
      `SELECT device_id, sum(CASE WHEN seq > prev + 1 THEN seq - prev - 1 ELSE 0 END) AS missing
         FROM (SELECT device_id, seq, lag(seq) OVER (PARTITION BY device_id ORDER BY ts) AS prev
                 FROM readings WHERE site_id = $1 AND ts >= $2 AND ts < $3) steps
        WHERE prev IS NOT NULL
        GROUP BY device_id`,
      [siteId, from.toISOString(), to.toISOString()],
    );
    return new Map(rows.filter((r) => Number(r.missing) > 0).map((r) => [r.device_id, Number(r.missing)]));
  }

  /** Stored readings of one device, raw or as bucket means (from the aggregates where the width allows, as `bucketedSum`). */
  async forDevice(
    siteId: string,
    deviceId: string,
    from: Date,
    to: Date,
    bucketMinutes?: number,
  ): Promise<Array<{ ts: Date; powerW: number; socPct: number | null; seq?: number }>> {
    if (bucketMinutes)
      return (await this.bucketedByDevice(siteId, [deviceId], from, to, bucketMinutes)).map((r) => ({
        ts: r.bucket,
        powerW: r.powerW,
        socPct: r.socPct,
      }));
    const rows: Array<{ ts: Date; power_w: number; soc_pct: number | null; seq: string }> = await this.db.query(
      `SELECT ts, power_w, soc_pct, seq FROM readings
        WHERE site_id = $1 AND device_id = $2 AND ts >= $3 AND ts < $4 ORDER BY ts LIMIT 100000`,
      [siteId, deviceId, from.toISOString(), to.toISOString()],
    );
    return rows.map((r) => ({ ts: r.ts, powerW: r.power_w, socPct: r.soc_pct, seq: Number(r.seq) }));
  }
}

export async function detectStorageMode(db: DataSource): Promise<StorageMode> {
  const rows: unknown[] = await db.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`);
  return rows.length > 0 ? 'timescaledb' : 'postgresql';
}

const ORIGIN = `TIMESTAMPTZ '2000-01-01 00:00:00Z'`;

/**
 * One row per (device, bucket): `device_id, bucket, mean_w, soc_pct`. Parameters: $1 site, $2 device ids,
 * $3 from, $4 to, $5 bucket minutes.
 */
function perDeviceMeans(bucketMinutes: number): string {
  const aggregate = AGGREGATES.find((a) => bucketMinutes % a.minutes === 0);
  if (!aggregate)
    return `SELECT device_id, date_bin(make_interval(mins => $5), ts, ${ORIGIN}) AS bucket, avg(power_w) AS mean_w, avg(soc_pct) AS soc_pct
              FROM readings
             WHERE site_id = $1 AND device_id = ANY($2) AND ts >= $3 AND ts < $4
             GROUP BY 1, 2`;
  return `SELECT device_id, date_bin(make_interval(mins => $5), bucket, ${ORIGIN}) AS bucket,
                 sum(power_sum_w) / sum(samples) AS mean_w, sum(soc_sum_pct) / NULLIF(sum(soc_samples), 0) AS soc_pct
            FROM ${aggregate.relation}
           WHERE site_id = $1 AND device_id = ANY($2) AND bucket >= $3 AND bucket < $4
           GROUP BY 1, 2`;
}

const UNNEST_READINGS = `
  SELECT s, d, t, q, p, e, c, $8::timestamptz
    FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::bigint[], $5::float8[], $6::float8[], $7::float8[]) AS u(s, d, t, q, p, e, c)`;

/**
 * The batch statement's result, and the commit announcement on SITE_CHANGES_CHANNEL for each site that got new rows
 * (delivered by PostgreSQL at commit, so in the same round trip as the insert; nothing when every row was a duplicate).
 */
const COUNT_AND_NOTIFY = `
  SELECT (SELECT count(*)::int FROM inserted) AS inserted,
         (SELECT count(*)::int FROM (SELECT pg_notify('${SITE_CHANGES_CHANNEL}', json_build_object('site', site_id, 'kind', 'readings')::text) FROM (SELECT DISTINCT site_id FROM inserted) s) n) AS notified`;

const INSERT_ONLY = `
  WITH inserted AS (
    INSERT INTO readings (site_id, device_id, ts, seq, power_w, energy_wh, soc_pct, received_at) ${UNNEST_READINGS}
    ON CONFLICT (site_id, device_id, ts) DO NOTHING
    RETURNING site_id, ts),
  marked AS (${markLate('$8')})
  ${COUNT_AND_NOTIFY}`;

/** Adds the rows just inserted to one rollup table; keys in order so concurrent ingesters lock rows in the same order. */
function rollup(relation: string, minutes: number): string {
  return `
  INSERT INTO ${relation} AS r (site_id, device_id, bucket, samples, power_sum_w, soc_sum_pct, soc_samples)
  SELECT site_id, device_id, date_bin(INTERVAL '${minutes} minutes', ts, ${ORIGIN}) AS bucket, count(*), sum(power_w), sum(soc_pct), count(soc_pct)
    FROM inserted GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
  ON CONFLICT (site_id, device_id, bucket) DO UPDATE
     SET samples = r.samples + EXCLUDED.samples,
         power_sum_w = r.power_sum_w + EXCLUDED.power_sum_w,
         soc_sum_pct = CASE WHEN EXCLUDED.soc_samples = 0 THEN r.soc_sum_pct ELSE coalesce(r.soc_sum_pct, 0) + EXCLUDED.soc_sum_pct END,
         soc_samples = r.soc_samples + EXCLUDED.soc_samples`;
}

const INSERT_WITH_ROLLUPS = `
  WITH inserted AS (
    INSERT INTO readings (site_id, device_id, ts, seq, power_w, energy_wh, soc_pct, received_at) ${UNNEST_READINGS}
    ON CONFLICT (site_id, device_id, ts) DO NOTHING
    RETURNING site_id, device_id, ts, power_w, soc_pct),
  ${AGGREGATES.map((a) => `rollup_${a.minutes}m AS (${rollup(a.relation, a.minutes)})`).join(',\n  ')},
  marked AS (${markLate('$8')})
  ${COUNT_AND_NOTIFY}`;
