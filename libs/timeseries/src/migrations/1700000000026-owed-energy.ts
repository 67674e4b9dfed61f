import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each sheddable load's energy owed, as its controller last reported it (the newest by `ts`; issue 27): the energy a
 * limit denied it and that it has not made up yet, Wh. The planner reads it to pay the debt back within the plan
 * instead of guessing it from the draw; the power itself stays in `readings`. Operational data: no API or Grafana role
 * reads it.
 */
export class OwedEnergy1700000000026 implements MigrationInterface {
  name = 'OwedEnergy1700000000026';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE owed_energy (
        site_id     text             NOT NULL,
        device_id   text             NOT NULL,
        ts          timestamptz      NOT NULL,
        owed_wh     double precision NOT NULL CHECK (owed_wh >= 0),
        received_at timestamptz      NOT NULL,
        PRIMARY KEY (site_id, device_id)
      )`);
    await queryRunner.query(`REVOKE ALL ON owed_energy FROM PUBLIC`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE owed_energy');
  }
}
