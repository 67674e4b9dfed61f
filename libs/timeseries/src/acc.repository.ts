import type { DistributorRow, ReconcileLine } from '@ilot/acc';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { numberArrayLiteral, textArrayLiteral } from './pg-array';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** A stored reconciliation line, with when it was computed. */
export type StoredReconcileLine = ReconcileLine & { computedAt: Date };

/** All the SQL of the PMO's month (migration 21): key files sent, the distributor's data, the reconciliations. */
export class AccRepository {
  constructor(private readonly db: DataSource) {}

  /** Keeps a key file as written (a month written again keeps every version). */
  async keepKeyFile(siteId: string, month: string, fileName: string, body: string, writtenAt: Date): Promise<string> {
    const digest = sha256(body);
    await this.db.query(
      `INSERT INTO acc_key_files (site_id, month, file_name, written_at, sha256, body) VALUES ($1, $2, $3, $4, $5, $6)`,
      [siteId, month, fileName, writtenAt.toISOString(), digest, body],
    );
    return digest;
  }

  /** Stores the distributor's month in place of an earlier import of it, in one transaction; the import's id. */
  async replaceDistributorMonth(
    siteId: string,
    month: string,
    rows: readonly DistributorRow[],
    file: string,
    importedAt: Date,
  ): Promise<number> {
    return this.db.transaction(async (m) => {
      const [{ id }] = (await m.query(
        `INSERT INTO acc_imports (site_id, month, imported_at, sha256, rows) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
        [siteId, month, importedAt.toISOString(), sha256(file), rows.length],
      )) as Array<{ id: string }>;
      await m.query('DELETE FROM acc_distributor_steps WHERE site_id = $1 AND month = $2', [siteId, month]);
      await m.query(
        `INSERT INTO acc_distributor_steps (site_id, month, prm, role, ts, total_wh, allocated_wh, rest_wh, import_id)
         SELECT $1, $2, * , $9 FROM unnest($3::text[], $4::text[], $5::timestamptz[], $6::int[], $7::int[], $8::int[])`,
        [
          siteId,
          month,
          textArrayLiteral(rows.map((r) => r.prm)),
          textArrayLiteral(rows.map((r) => r.role)),
          textArrayLiteral(rows.map((r) => r.start.toISOString())),
          numberArrayLiteral(rows.map((r) => r.totalWh)),
          numberArrayLiteral(rows.map((r) => r.allocatedWh)),
          numberArrayLiteral(rows.map((r) => r.restWh)),
          id,
        ],
      );
      return Number(id);
    });
  }

  /** The distributor's month as last imported (empty when never imported). */
  async distributorMonth(siteId: string, month: string): Promise<DistributorRow[]> {
    const rows: Array<{
      prm: string;
      role: DistributorRow['role'];
      ts: Date;
      total_wh: number | null;
      allocated_wh: number | null;
      rest_wh: number | null;
    }> = await this.db.query(
      `SELECT prm, role, ts, total_wh, allocated_wh, rest_wh FROM acc_distributor_steps
        WHERE site_id = $1 AND month = $2 ORDER BY ts, prm`,
      [siteId, month],
    );
    return rows.map((r) => ({
      start: r.ts,
      prm: r.prm,
      role: r.role,
      totalWh: r.total_wh,
      allocatedWh: r.allocated_wh,
      restWh: r.rest_wh,
    }));
  }

  /** The month's imports, newest first. */
  async imports(
    siteId: string,
    month: string,
  ): Promise<Array<{ id: number; importedAt: Date; sha256: string; rows: number }>> {
    const rows: Array<{ id: string; imported_at: Date; sha256: string; rows: number }> = await this.db.query(
      'SELECT id, imported_at, sha256, rows FROM acc_imports WHERE site_id = $1 AND month = $2 ORDER BY id DESC',
      [siteId, month],
    );
    return rows.map((r) => ({ id: Number(r.id), importedAt: r.imported_at, sha256: r.sha256, rows: r.rows }));
  }

  /** Stores the month's reconciliation in place of the earlier one. */
  async replaceReconciliation(
    siteId: string,
    month: string,
    lines: readonly ReconcileLine[],
    computedAt: Date,
  ): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.query('DELETE FROM acc_reconciliations WHERE site_id = $1 AND month = $2', [siteId, month]);
      for (const l of lines)
        await m.query(
          `INSERT INTO acc_reconciliations (site_id, month, point_id, prm, role, quantity, ilot_wh, distributor_wh,
             difference_wh, difference_pct, rounding_wh, flagged, explanations, computed_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
          [
            siteId,
            month,
            l.id,
            l.prm,
            l.role,
            l.quantity,
            l.ilotWh,
            l.distributorWh,
            l.differenceWh,
            l.differencePct,
            l.roundingWh,
            l.flagged,
            JSON.stringify(l.explanations),
            computedAt.toISOString(),
          ],
        );
    });
  }

  /** The month's stored reconciliation (empty when none was computed). */
  async reconciliation(siteId: string, month: string): Promise<StoredReconcileLine[]> {
    const rows: Array<Record<string, unknown>> = await this.db.query(
      `SELECT point_id, prm, role, quantity, ilot_wh, distributor_wh, difference_wh, difference_pct, rounding_wh,
              flagged, explanations, computed_at
         FROM acc_reconciliations WHERE site_id = $1 AND month = $2 ORDER BY role, point_id, quantity DESC`,
      [siteId, month],
    );
    return rows.map((r) => ({
      id: r.point_id as string,
      prm: r.prm as string,
      role: r.role as StoredReconcileLine['role'],
      quantity: r.quantity as StoredReconcileLine['quantity'],
      ilotWh: r.ilot_wh as number,
      distributorWh: r.distributor_wh as number,
      differenceWh: r.difference_wh as number,
      differencePct: r.difference_pct as number,
      roundingWh: r.rounding_wh as number,
      flagged: r.flagged as boolean,
      explanations: (r.explanations as Array<Record<string, unknown>>).map((e) => ({
        ...(e as unknown as StoredReconcileLine['explanations'][number]),
        firstStep: new Date(e.firstStep as string),
        lastStep: new Date(e.lastStep as string),
      })),
      computedAt: r.computed_at as Date,
    }));
  }

  /** Per site, the lines flagged in the newest month reconciled (the alert's gauge). */
  async flaggedInNewestMonth(siteId: string): Promise<{ month: string; flagged: number } | undefined> {
    const rows: Array<{ month: string; flagged: number }> = await this.db.query(
      `SELECT month, count(*) FILTER (WHERE flagged)::int AS flagged FROM acc_reconciliations
        WHERE site_id = $1 AND month = (SELECT max(month) FROM acc_reconciliations WHERE site_id = $1)
        GROUP BY month`,
      [siteId],
    );
    return rows[0];
  }
}
