import { MigrationInterface, QueryRunner } from 'typeorm';

/** Readings, rejected messages, device status, plans and commands (plain PostgreSQL). */
export class InitialSchema1700000000001 implements MigrationInterface {
  name = 'InitialSchema1700000000001';

  // eslint-disable-next-line max-lines-per-function -- the first schema's DDL, one statement per table, never edited again
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE readings (
        site_id     text             NOT NULL,
        device_id   text             NOT NULL,
        ts          timestamptz      NOT NULL,
        seq         bigint           NOT NULL,
        power_w     double precision NOT NULL,
        energy_wh   double precision,
        soc_pct     double precision,
        received_at timestamptz      NOT NULL,
        PRIMARY KEY (site_id, device_id, ts)
      )`);
    await queryRunner.query(`CREATE INDEX readings_site_ts ON readings (site_id, ts)`);
    await queryRunner.query(`
      CREATE TABLE rejected_messages (
        id          bigserial   PRIMARY KEY,
        received_at timestamptz NOT NULL,
        topic       text        NOT NULL,
        reason      text        NOT NULL,
        detail      text        NOT NULL,
        payload     text        NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE device_status (
        site_id     text        NOT NULL,
        device_id   text        NOT NULL,
        state       text        NOT NULL CHECK (state IN ('online', 'offline')),
        ts          timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        PRIMARY KEY (site_id, device_id)
      )`);
    await queryRunner.query(`
      CREATE TABLE plans (
        id            bigserial        PRIMARY KEY,
        site_id       text             NOT NULL,
        generated_at  timestamptz      NOT NULL,
        status        text             NOT NULL,
        solver        text             NOT NULL,
        objective_eur double precision NOT NULL,
        solve_ms      double precision NOT NULL,
        document      jsonb            NOT NULL
      )`);
    await queryRunner.query(`CREATE INDEX plans_site_generated ON plans (site_id, generated_at DESC)`);
    await queryRunner.query(`
      CREATE TABLE commands (
        cmd_id      uuid             PRIMARY KEY,
        site_id     text             NOT NULL,
        device_id   text             NOT NULL,
        type        text             NOT NULL,
        plan_id     bigint           REFERENCES plans (id),
        issued_at   timestamptz      NOT NULL,
        valid_from  timestamptz      NOT NULL,
        valid_until timestamptz      NOT NULL,
        setpoint_w  double precision,
        reason      text             NOT NULL,
        payload     jsonb            NOT NULL,
        ack_status  text,
        ack_reason  text,
        acked_at    timestamptz
      )`);
    await queryRunner.query(
      `CREATE INDEX commands_site_device_issued ON commands (site_id, device_id, issued_at DESC)`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of ['commands', 'plans', 'device_status', 'rejected_messages', 'readings'])
      await queryRunner.query(`DROP TABLE ${table}`);
  }
}
