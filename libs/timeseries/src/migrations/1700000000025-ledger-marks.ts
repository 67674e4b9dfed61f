import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where each site's resident ledger must be computed again (issue 30 §1): a batch of readings or commodity readings
 * stored late (STORAGE_POLICY.ledgerLateMarkS after their time or later) marks its site from its earliest such reading,
 * in the insert's own statement; the ledger's next run computes from there and clears the mark unless a newer batch
 * moved it meanwhile (`version`). This replaces computing the last day again at every run and the last week every hour.
 * Operational data: no API or Grafana role reads it.
 */
export class LedgerMarks1700000000025 implements MigrationInterface {
  name = 'LedgerMarks1700000000025';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`CREATE SEQUENCE ledger_mark_versions`);
    await queryRunner.query(`
      CREATE TABLE ledger_marks (
        site_id text        PRIMARY KEY,
        from_ts timestamptz NOT NULL,
        version bigint      NOT NULL DEFAULT nextval('ledger_mark_versions')
      )`);
    await queryRunner.query(`REVOKE ALL ON ledger_marks FROM PUBLIC`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE ledger_marks');
    await queryRunner.query('DROP SEQUENCE ledger_mark_versions');
  }
}
