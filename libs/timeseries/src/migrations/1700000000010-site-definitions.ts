import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sites managed through the API (`PUT /api/v1/sites/{siteId}`, issue 14): the validated document as the operator sent
 * it, one row per site; every app instance reads them (with the folder's files) to know the îlots it serves.
 * Operator data: neither ilot_api nor grafana_reader reads it.
 */
export class SiteDefinitions1700000000010 implements MigrationInterface {
  name = 'SiteDefinitions1700000000010';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE site_definitions (
        site_id     text        PRIMARY KEY,
        document    jsonb       NOT NULL,
        fingerprint text        NOT NULL,
        updated_at  timestamptz NOT NULL
      )`);
    await queryRunner.query(`REVOKE ALL ON site_definitions FROM PUBLIC`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE site_definitions');
  }
}
