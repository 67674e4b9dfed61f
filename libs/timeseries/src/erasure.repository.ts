import { randomBytes } from 'node:crypto';
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
];

export interface ErasureOutcome {
  pseudonym: string;
  rows: Record<string, number>;
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
      const total = Object.values(rows).reduce((a, b) => a + b, 0);
      if (total > 0)
        await m.query(`INSERT INTO participant_erasures (site_id, at, pseudonym, rows) VALUES ($1, $2, $3, $4)`, [
          siteId,
          at,
          pseudonym,
          total,
        ]);
      return { pseudonym, rows };
    });
  }
}
