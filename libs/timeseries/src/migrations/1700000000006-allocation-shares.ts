import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The shares of a `dynamic-custom` allocation key, per step and participant, as the operator (the PMO) gave
 * them; a step given again replaces the earlier shares. Operator data: neither ilot_api nor grafana_reader reads it.
 */
export class AllocationShares1700000000006 implements MigrationInterface {
  name = 'AllocationShares1700000000006';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE allocation_shares (
        site_id        text             NOT NULL,
        ts             timestamptz      NOT NULL,
        participant_id text             NOT NULL,
        share          double precision NOT NULL CHECK (share >= 0 AND share <= 1),
        received_at    timestamptz      NOT NULL,
        PRIMARY KEY (site_id, ts, participant_id)
      )`);
    await queryRunner.query(`REVOKE ALL ON allocation_shares FROM PUBLIC`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE allocation_shares');
  }
}
