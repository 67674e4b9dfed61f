import { DataSource } from 'typeorm';

/** What one check of a device's `seq` found since the last one. */
export interface DeviceSeqCheck {
  deviceId: string;
  /** Jumps forward by more than one: readings that never reached the table (lost on the way, or refused). */
  gaps: number;
  /** Readings missing in those gaps. */
  missing: number;
  /** Where the first gap ends: the reading after it. */
  firstGapAt?: Date;
  /** Falls of the seq (the device restarted and counts again): not gaps. */
  restarts: number;
}

/**
 * The gaps in each device's `seq` (issue 30 §3), counted once: each check starts after the last reading the previous
 * one checked (`seq_watermarks`, migration 24); a device's readings from the first one received after
 * `receivedBefore` on are not judged yet (its readings are still arriving: a backlog drained by another ingester, a
 * late batch; judged by the time they arrived, not by their own time, so an old backlog is judged as late as a live
 * reading); a device never checked starts at `firstFrom`. Readings with seq 0 are backfills (a Linky curve), not the device's
 * counting. Two ingesters checking at once: one checks, the other finds the site taken (an advisory lock) and skips.
 */
/** Per device: the gaps, missing readings and restarts after its watermark, and its new watermark. */
const CHECK_SQL = `WITH w AS (SELECT device_id, ts, seq FROM seq_watermarks WHERE site_id = $1),
        fresh AS (
          -- Device by device on the primary key (site, device, ts): only what came after its watermark.
          SELECT d.device_id, r.ts, r.seq, r.received_at
            FROM unnest($4::text[]) AS d(device_id) LEFT JOIN w ON w.device_id = d.device_id,
                 LATERAL (SELECT ts, seq, received_at FROM readings
                           WHERE site_id = $1 AND device_id = d.device_id AND ts > coalesce(w.ts, $3)
                           ORDER BY ts LIMIT 200000) r
           WHERE r.seq > 0),
        arriving AS (SELECT device_id, min(ts) AS ts FROM fresh WHERE received_at >= $2 GROUP BY device_id),
        judged AS (
          SELECT f.device_id, f.ts, f.seq FROM fresh f LEFT JOIN arriving a ON a.device_id = f.device_id
           WHERE a.ts IS NULL OR f.ts < a.ts),
        steps AS (
          SELECT device_id, ts, seq, lag(seq) OVER (PARTITION BY device_id ORDER BY ts) AS prev
            FROM (SELECT * FROM judged
                  UNION ALL SELECT * FROM w WHERE device_id IN (SELECT device_id FROM judged)) s)
   SELECT device_id,
          count(*) FILTER (WHERE seq > prev + 1)::int AS gaps,
          coalesce(sum(seq - prev - 1) FILTER (WHERE seq > prev + 1), 0)::bigint AS missing,
          min(ts) FILTER (WHERE seq > prev + 1) AS first_gap_at,
          count(*) FILTER (WHERE seq < prev)::int AS restarts,
          max(ts) AS last_ts,
          (array_agg(seq ORDER BY ts DESC))[1] AS last_seq
     FROM steps GROUP BY device_id`;

export class SeqGapRepository {
  constructor(private readonly db: DataSource) {}

  /** The site's devices' checks since the last one; undefined when another process is checking the site. */
  async check(
    siteId: string,
    deviceIds: readonly string[],
    receivedBefore: Date,
    firstFrom: Date,
  ): Promise<DeviceSeqCheck[] | undefined> {
    return this.db.transaction(async (m) => {
      const [{ taken }] = (await m.query(`SELECT pg_try_advisory_xact_lock(hashtext('seq:' || $1)) AS taken`, [
        siteId,
      ])) as Array<{ taken: boolean }>;
      if (!taken) return undefined;
      const rows = (await m.query(CHECK_SQL, [
        siteId,
        receivedBefore.toISOString(),
        firstFrom.toISOString(),
        deviceIds,
      ])) as Array<{
        device_id: string;
        gaps: number;
        missing: string;
        first_gap_at: Date | null;
        restarts: number;
        last_ts: Date;
        last_seq: string;
      }>;
      if (rows.length)
        await m.query(
          `INSERT INTO seq_watermarks (site_id, device_id, ts, seq)
           SELECT $1, device_id, ts, seq FROM unnest($2::text[], $3::timestamptz[], $4::bigint[]) AS r(device_id, ts, seq)
           ON CONFLICT (site_id, device_id) DO UPDATE SET ts = excluded.ts, seq = excluded.seq`,
          [siteId, rows.map((r) => r.device_id), rows.map((r) => r.last_ts.toISOString()), rows.map((r) => r.last_seq)],
        );
      return rows.map((r) => ({
        deviceId: r.device_id,
        gaps: r.gaps,
        missing: Number(r.missing),
        ...(r.first_gap_at ? { firstGapAt: r.first_gap_at } : {}),
        restarts: r.restarts,
      }));
    });
  }
}
