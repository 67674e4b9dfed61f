import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * How far each device's readings were checked for gaps in their `seq` (issue 30 §3): the last reading checked, so the
 * next check starts after it and a gap is counted once, whichever ingester checks. Operational data: no API or Grafana
 * role reads it.
 */
export class SeqWatermarks1700000000024 implements MigrationInterface {
  name = 'SeqWatermarks1700000000024';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE seq_watermarks (
        site_id   text        NOT NULL,
        device_id text        NOT NULL,
        ts        timestamptz NOT NULL,
        seq       bigint      NOT NULL,
        PRIMARY KEY (site_id, device_id)
      )`);
    await queryRunner.query(`REVOKE ALL ON seq_watermarks FROM PUBLIC`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE seq_watermarks');
  }
}
