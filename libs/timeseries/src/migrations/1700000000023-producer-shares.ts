import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The coefficients of a `dynamic-full` key (issue 29 §2): per step, producer and participant, a participant's share of
 * that producer's production. They live beside the `dynamic-custom` shares (the same rights, the same erasure), told
 * apart by `producer_id`: '' for a share of the whole production, a PV array's id for one of its own. A step has one
 * key, so giving a step again replaces every share of it.
 */
export class ProducerShares1700000000023 implements MigrationInterface {
  name = 'ProducerShares1700000000023';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE allocation_shares ADD COLUMN producer_id text NOT NULL DEFAULT ''`);
    await queryRunner.query(`ALTER TABLE allocation_shares DROP CONSTRAINT allocation_shares_pkey`);
    await queryRunner.query(`ALTER TABLE allocation_shares ADD PRIMARY KEY (site_id, ts, producer_id, participant_id)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DELETE FROM allocation_shares WHERE producer_id <> ''`);
    await queryRunner.query(`ALTER TABLE allocation_shares DROP CONSTRAINT allocation_shares_pkey`);
    await queryRunner.query(`ALTER TABLE allocation_shares ADD PRIMARY KEY (site_id, ts, participant_id)`);
    await queryRunner.query(`ALTER TABLE allocation_shares DROP COLUMN producer_id`);
  }
}
