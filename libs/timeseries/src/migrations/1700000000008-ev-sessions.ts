import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each EV charger's session in force, as its telemetry last reported it (the newest by `ts`): whether a car is plugged,
 * the energy its driver still wants by the departure, the most the car takes. The planner reads it; the power itself
 * stays in `readings`.
 */
export class EvSessions1700000000008 implements MigrationInterface {
  name = 'EvSessions1700000000008';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE ev_sessions (
        site_id          text             NOT NULL,
        device_id        text             NOT NULL,
        ts               timestamptz      NOT NULL,
        plugged          boolean          NOT NULL,
        energy_needed_wh double precision,
        departure        timestamptz,
        max_w            double precision,
        received_at      timestamptz      NOT NULL,
        PRIMARY KEY (site_id, device_id)
      )`);
    await queryRunner.query(`REVOKE ALL ON ev_sessions FROM PUBLIC`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE ev_sessions');
  }
}
