import { DataSource } from 'typeorm';

/** All the SQL on `token_revocations` (migration 18). */
export class TokenRevocationRepository {
  constructor(private readonly db: DataSource) {}

  /** Every token of the participant signed before `at` is refused from now on (a later revocation moves it forward). */
  async revoke(siteId: string, participantId: string, at: Date): Promise<void> {
    await this.db.query(
      `INSERT INTO token_revocations (site_id, participant_id, not_before) VALUES ($1, $2, $3)
       ON CONFLICT (site_id, participant_id) DO UPDATE SET not_before = GREATEST(token_revocations.not_before, EXCLUDED.not_before)`,
      [siteId, participantId, at],
    );
  }

  /** The instant before which the participant's tokens are refused, if they were ever revoked. */
  async notBefore(siteId: string, participantId: string): Promise<Date | undefined> {
    const rows: Array<{ not_before: Date }> = await this.db.query(
      'SELECT not_before FROM token_revocations WHERE site_id = $1 AND participant_id = $2',
      [siteId, participantId],
    );
    return rows[0] ? new Date(rows[0].not_before) : undefined;
  }
}
