import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The open data as published (issue 26: it was recomputed with the current meters at every request, so removing one
 * home changed a past hour from 2.994 to 2.302 kWh, that home's own 0.695 kWh). Each completed hour of an îlot is kept
 * as it was first published and served as kept from then on.
 */
export class OpenDataPublished1700000000017 implements MigrationInterface {
  name = 'OpenDataPublished1700000000017';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE open_data_hours (
        site_id      text        NOT NULL,
        hour         timestamptz NOT NULL,
        row          jsonb       NOT NULL,
        published_at timestamptz NOT NULL,
        PRIMARY KEY (site_id, hour)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE open_data_hours');
  }
}
