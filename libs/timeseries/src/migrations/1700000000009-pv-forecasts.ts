import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * External PV forecasts as published on the `forecast` topic: one row per point, by issue. `device_id` is '' for a
 * forecast of the whole site. The planner uses the newest issue; older ones stay for measuring the provider.
 */
export class PvForecasts1700000000009 implements MigrationInterface {
  name = 'PvForecasts1700000000009';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE pv_forecasts (
        site_id     text             NOT NULL,
        issued_at   timestamptz      NOT NULL,
        source      text,
        device_id   text             NOT NULL,
        ts          timestamptz      NOT NULL,
        pv_w        double precision NOT NULL,
        received_at timestamptz      NOT NULL,
        PRIMARY KEY (site_id, issued_at, device_id, ts)
      )`);
    await queryRunner.query(`REVOKE ALL ON pv_forecasts FROM PUBLIC`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE pv_forecasts');
  }
}
