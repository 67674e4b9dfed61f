import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { ResidentLedgerRepository } from './resident-ledger.repository';

/** The tables that name a participant, and the columns that do. */
const NAMING: ReadonlyArray<{ table: string; columns: string[] }> = [
  { table: 'participant_steps', columns: ['participant_id'] },
  { table: 'participant_months', columns: ['participant_id'] },
  { table: 'participant_effacements', columns: ['participant_id'] },
  { table: 'participant_commodity_hours', columns: ['participant_id'] },
  { table: 'participant_commodity_months', columns: ['participant_id'] },
  { table: 'participant_consents', columns: ['participant_id'] },
  { table: 'personal_data_access', columns: ['participant_id', 'viewer_id'] },
  { table: 'allocation_shares', columns: ['participant_id'] },
];

export interface ErasureOutcome {
  pseudonym: string;
  rows: Record<string, number>;
  /** Their invoices and credit notes, kept whole for their legal retention (issue 29 §5). */
  invoicesKept: number;
}

/**
 * Erases a former participant by pseudonym (migration 15): in one transaction, every row that names them names a
 * fresh pseudonym instead (`former-` and 12 random hex digits), figures untouched; the erasure is recorded without the
 * former id. The ledger's tables are written as the site's operator (row-level security), the append-only ones in a
 * transaction that says it erases.
 */
export class ErasureRepository {
  /** On the owner's connection: the ledger's (its viewer tickets, read once for both). */
  constructor(private readonly ledger: ResidentLedgerRepository) {}

  async pseudonymise(siteId: string, participantId: string, at: Date): Promise<ErasureOutcome> {
    const pseudonym = `former-${randomBytes(6).toString('hex')}`;
    return this.ledger.viewing(siteId, { role: 'operator' }, async (m) => {
      await m.query(`SELECT set_config('ilot.erasure', 'on', true)`);
      const rows: Record<string, number> = {};
      for (const { table, columns } of NAMING) {
        const set = columns.map((c) => `${c} = CASE WHEN ${c} = $2 THEN $3 ELSE ${c} END`).join(', ');
        const where = columns.map((c) => `${c} = $2`).join(' OR ');
        const [, updated] = (await m.query(`UPDATE ${table} SET ${set} WHERE site_id = $1 AND (${where})`, [
          siteId,
          participantId,
          pseudonym,
        ])) as [unknown, number];
        rows[table] = updated;
      }
      Object.assign(rows, await pseudonymiseAccMonths(m, siteId, participantId, pseudonym));
      const [{ kept }] = (await m.query(
        'SELECT count(*)::int AS kept FROM acc_invoices WHERE site_id = $1 AND participant_id = $2',
        [siteId, participantId],
      )) as Array<{ kept: number }>;
      const total = Object.values(rows).reduce((a, b) => a + b, 0);
      if (total > 0)
        await m.query(`INSERT INTO participant_erasures (site_id, at, pseudonym, rows) VALUES ($1, $2, $3, $4)`, [
          siteId,
          at,
          pseudonym,
          total,
        ]);
      return { pseudonym, rows, invoicesKept: kept };
    });
  }
}

/**
 * A collective self-consumption operation's months (issue 29 §5): in every month the participant was reconciled, its
 * delivery point's steps from the distributor, its reconciliation lines and its column of the key files sent name the
 * pseudonym instead of its id and PRM (the key file's SHA-256 stays the one of the file as sent). The invoices are
 * kept whole: they are the seller's accounting documents (10 years).
 */
async function pseudonymiseAccMonths(
  m: EntityManager,
  siteId: string,
  participantId: string,
  pseudonym: string,
): Promise<Record<string, number>> {
  const points = (await m.query(
    'SELECT DISTINCT month, prm FROM acc_reconciliations WHERE site_id = $1 AND point_id = $2',
    [siteId, participantId],
  )) as Array<{ month: string; prm: string }>;
  const rows = { acc_distributor_steps: 0, acc_reconciliations: 0, acc_key_files: 0 };
  for (const { month, prm } of points) {
    const [, steps] = (await m.query(
      'UPDATE acc_distributor_steps SET prm = $4 WHERE site_id = $1 AND month = $2 AND prm = $3',
      [siteId, month, prm, pseudonym],
    )) as [unknown, number];
    const [, keys] = (await m.query(
      `UPDATE acc_key_files SET body = replace(body, $3, $4) WHERE site_id = $1 AND month = $2 AND strpos(body, $3) > 0`,
      [siteId, month, prm, pseudonym],
    )) as [unknown, number];
    rows.acc_distributor_steps += steps;
    rows.acc_key_files += keys;
  }
  const [, lines] = (await m.query(
    'UPDATE acc_reconciliations SET point_id = $3, prm = $3 WHERE site_id = $1 AND point_id = $2',
    [siteId, participantId, pseudonym],
  )) as [unknown, number];
  rows.acc_reconciliations = lines;
  return rows;
}
