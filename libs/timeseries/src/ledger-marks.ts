import { DataSource } from 'typeorm';
import { STORAGE_POLICY } from './storage-policy';

/**
 * The SQL of a data-modifying CTE, for an insert statement whose CTE `inserted` returns `site_id, ts`: each site of the
 * rows inserted with a row older than `receivedAt` less STORAGE_POLICY.ledgerLateMarkS gets its ledger mark moved back
 * to its earliest such row (never forward), with a new version. `receivedAt` is the statement's parameter holding the
 * insert's time. Sites in order, so concurrent ingesters lock the marks in the same order.
 */
export function markLate(receivedAt: string): string {
  return `
    INSERT INTO ledger_marks AS m (site_id, from_ts)
    SELECT site_id, min(ts) FROM inserted
     WHERE ts < ${receivedAt}::timestamptz - INTERVAL '${STORAGE_POLICY.ledgerLateMarkS} seconds'
     GROUP BY site_id ORDER BY site_id
    ON CONFLICT (site_id) DO UPDATE
       SET from_ts = LEAST(m.from_ts, EXCLUDED.from_ts), version = nextval('ledger_mark_versions')`;
}

/** A site's mark: compute its ledger again from `from`; `version` says whether a later batch moved it. */
export interface LedgerMark {
  from: Date;
  version: string;
}

/** The resident ledger's side of the marks (migration 25): read one, clear it once computed. */
export class LedgerMarkRepository {
  constructor(private readonly db: DataSource) {}

  async of(siteId: string): Promise<LedgerMark | undefined> {
    const rows: Array<{ from_ts: Date; version: string }> = await this.db.query(
      'SELECT from_ts, version FROM ledger_marks WHERE site_id = $1',
      [siteId],
    );
    return rows[0] && { from: rows[0].from_ts, version: String(rows[0].version) };
  }

  /**
   * Clears the mark read as `mark`, unless a batch moved it since (another version: kept for the next run). A batch
   * still open on the mark holds its row: the delete waits for it and then sees its version.
   */
  async clear(siteId: string, mark: LedgerMark): Promise<void> {
    await this.db.query('DELETE FROM ledger_marks WHERE site_id = $1 AND version = $2', [siteId, mark.version]);
  }
}
