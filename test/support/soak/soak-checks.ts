import type { SimulatorRunner } from '@ilot/simulators';
import type { Client } from 'pg';

/** Commands a controller applied after their validUntil (it must refuse them), and all it received. */
export function commandsAfterValidity(runners: readonly SimulatorRunner[]): {
  received: number;
  applied: number;
  appliedLate: number;
} {
  const log = runners.flatMap((r) => r.commandLog);
  const applied = log.filter((c) => c.status === 'applied');
  return {
    received: log.length,
    applied: applied.length,
    appliedLate: applied.filter((c) => c.receivedAt.getTime() > c.validUntil.getTime()).length,
  };
}

export interface PlanGap {
  ms: number;
  fromMs: number;
  before: string;
  after: string;
}

export interface PlanCoverage {
  plans: number;
  /**
   * Per site, the longest time between two plans (or the run's start and the first, the last and the end), simulated
   * ms, where it began and the planner (holder#token) on each side of it.
   */
  longestGap: Map<string, PlanGap>;
  /** A planner change without a higher token, or a token going back: two planners on one site. */
  fencingViolations: string[];
}

/**
 * From the plans stored: per site, the longest time without a new plan, and the fencing (a planner change always with a
 * higher lease token, a token never going back).
 */
export async function planCoverage(
  db: Client,
  siteIds: readonly string[],
  fromMs: number,
  toMs: number,
): Promise<PlanCoverage> {
  const rows = await db.query<{ site_id: string; at: Date; holder: string; token: string }>(
    `SELECT site_id, generated_at AS at, document->'lease'->>'holder' AS holder, document->'lease'->>'token' AS token
       FROM plans WHERE generated_at >= $1 AND generated_at <= $2 ORDER BY site_id, generated_at`,
    [new Date(fromMs), new Date(toMs)],
  );
  const longestGap = new Map<string, PlanGap>();
  const fencingViolations: string[] = [];
  const bySite = new Map<string, typeof rows.rows>();
  for (const row of rows.rows) {
    const plans = bySite.get(row.site_id) ?? [];
    plans.push(row);
    bySite.set(row.site_id, plans);
  }
  for (const siteId of siteIds) {
    const plans = bySite.get(siteId) ?? [];
    const marks = [
      { atMs: fromMs, by: 'the start' },
      ...plans.map((p) => ({ atMs: p.at.getTime(), by: `${p.holder}#${p.token}` })),
      { atMs: toMs, by: 'the end' },
    ];
    const gaps = marks
      .slice(1)
      .map((m, k) => ({ ms: m.atMs - marks[k].atMs, fromMs: marks[k].atMs, before: marks[k].by, after: m.by }));
    longestGap.set(
      siteId,
      gaps.reduce((a, b) => (b.ms > a.ms ? b : a)),
    );
    plans.slice(1).forEach((p, k) => {
      const before = plans[k];
      const [token, previous] = [Number(p.token), Number(before.token)];
      if (token < previous || (p.holder !== before.holder && token === previous))
        fencingViolations.push(
          `${siteId} at ${p.at.toISOString()}: ${before.holder}#${previous} then ${p.holder}#${token}`,
        );
    });
  }
  return { plans: rows.rowCount ?? 0, longestGap, fencingViolations };
}

/**
 * The plain-PostgreSQL rollups against the raw rows they sum (ADR 0005: updated in the insert's statement): a reading
 * stored twice, or a duplicate counted in a rollup, shows here. Rows that differ, per rollup.
 */
export async function rollupDifferences(db: Client): Promise<Record<string, number>> {
  const differences = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0].n);
  const rawBy = (width: string) => `
    SELECT site_id, device_id, date_bin(INTERVAL '${width}', ts, TIMESTAMPTZ '2000-01-01 00:00:00Z') AS bucket,
           count(*) AS samples, sum(power_w) AS power_sum_w
      FROM readings GROUP BY 1, 2, 3`;
  // Only where the raw rows are all kept: from the first bucket after a device's oldest raw reading (the privacy
  // retention deletes residents' raw readings after OPERATION_WINDOW_DAYS; the rollups stay).
  const against = (table: string, width: string) => `
    WITH raw AS (${rawBy(width)}),
         kept AS (SELECT site_id, device_id, min(bucket) + INTERVAL '${width}' AS since FROM raw GROUP BY 1, 2)
    SELECT count(*) AS n FROM raw FULL JOIN ${table} r USING (site_id, device_id, bucket) JOIN kept USING (site_id, device_id)
     WHERE bucket >= kept.since
       AND (raw.samples IS DISTINCT FROM r.samples OR abs(raw.power_sum_w - r.power_sum_w) > 1e-6 * greatest(1, abs(raw.power_sum_w)))`;
  return {
    readings_15m: await differences(against('readings_15m', '15 minutes')),
    readings_1h: await differences(against('readings_1h', '1 hour')),
    commodity_1h: await differences(`
      SELECT count(*) AS n FROM (
        SELECT site_id, device_id, date_bin(INTERVAL '1 hour', ts, TIMESTAMPTZ '2000-01-01 00:00:00Z') AS bucket,
               count(*) AS readings, coalesce(sum(quantity), 0) AS quantity
          FROM commodity_readings GROUP BY 1, 2, 3) raw FULL JOIN commodity_1h r USING (site_id, device_id, bucket)
       WHERE raw.readings IS DISTINCT FROM r.readings OR abs(raw.quantity - r.quantity) > 1e-6 * greatest(1, abs(raw.quantity))`),
  };
}

/** The tables' sizes (heap, indexes and TOAST), bytes, largest first. */
export async function tableSizes(db: Client): Promise<Map<string, number>> {
  const rows = await db.query<{ name: string; bytes: string }>(
    `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 2 DESC`,
  );
  return new Map(rows.rows.map((r) => [r.name, Number(r.bytes)]));
}

/** The resident ledger's newest step of the site furthest behind (the metrics app's job), or undefined before any. */
export async function ledgerNewestStep(db: Client): Promise<Date | undefined> {
  const rows = await db.query<{ at: Date | null }>(
    `SELECT min(newest) AS at FROM (SELECT max(ts) AS newest FROM participant_steps GROUP BY site_id) s`,
  );
  return rows.rows[0].at ?? undefined;
}

/**
 * Sites whose resident ledger has not reached the step of their last reading yet (the ledger writes up to it): 0 once
 * the metrics app has caught up with everything stored.
 */
export async function sitesLedgerBehind(db: Client): Promise<number> {
  const rows = await db.query<{ n: string }>(
    `SELECT count(*) AS n
       FROM (SELECT site_id, max(ts) AS last FROM readings GROUP BY site_id) r
       LEFT JOIN (SELECT site_id, max(ts) AS newest FROM participant_steps GROUP BY site_id) l USING (site_id)
      WHERE l.newest IS NULL OR l.newest < date_bin(INTERVAL '15 minutes', r.last, TIMESTAMPTZ '2000-01-01 00:00:00Z')`,
  );
  return Number(rows.rows[0].n);
}
