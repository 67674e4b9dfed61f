import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Residents' tokens revoked (issue 26: no token could be revoked, and a participant id is the flat: an old resident's
 * link opened the next resident's data). A participant's tokens signed before `not_before` are refused; a move-out
 * revokes them, the new resident's are signed after.
 */
export class TokenRevocations1700000000018 implements MigrationInterface {
  name = 'TokenRevocations1700000000018';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE token_revocations (
        site_id        text        NOT NULL,
        participant_id text        NOT NULL,
        not_before     timestamptz NOT NULL,
        PRIMARY KEY (site_id, participant_id)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE token_revocations');
  }
}
