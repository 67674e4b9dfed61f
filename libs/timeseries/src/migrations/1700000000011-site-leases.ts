import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Planner leases (issue 14): which instance plans which site, until when, under which fencing token (it grows each
 * time the site changes hands, so a controller can refuse a command from a planner that lost it); and the planner
 * instances alive, so that each takes its fair share. The only cluster state: PostgreSQL arbitrates.
 */
export class SiteLeases1700000000011 implements MigrationInterface {
  name = 'SiteLeases1700000000011';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE site_leases (
        site_id    text        PRIMARY KEY,
        holder     text        NOT NULL,
        token      bigint      NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE lease_holders (
        holder      text        PRIMARY KEY,
        alive_until timestamptz NOT NULL
      )`);
    await queryRunner.query(`REVOKE ALL ON site_leases, lease_holders FROM PUBLIC`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE lease_holders');
    await queryRunner.query('DROP TABLE site_leases');
  }
}
