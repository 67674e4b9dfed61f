import { MigrationInterface, QueryRunner } from 'typeorm';

/** Signals received (effacement orders, EcoWatt levels, Tempo colours): a re-sent signal with the same key replaces the earlier one. */
export class Signals1700000000003 implements MigrationInterface {
  name = 'Signals1700000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE signals (
        site_id     text        NOT NULL,
        type        text        NOT NULL CHECK (type IN ('effacement', 'ecowatt', 'tempo')),
        key         text        NOT NULL,
        starts_at   timestamptz NOT NULL,
        ends_at     timestamptz NOT NULL,
        payload     jsonb       NOT NULL,
        received_at timestamptz NOT NULL,
        PRIMARY KEY (site_id, type, key)
      )`);
    await queryRunner.query(`CREATE INDEX signals_site_period ON signals (site_id, ends_at, starts_at)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE signals');
  }
}
