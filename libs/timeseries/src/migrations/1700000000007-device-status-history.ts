import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Every status received, applied or not. `device_status` keeps the one in force: the newest by its `ts` (a stale
 * "offline", a QoS 1 redelivery or the Last Will of an earlier connection is history, never applied over a fresher one).
 */
export class DeviceStatusHistory1700000000007 implements MigrationInterface {
  name = 'DeviceStatusHistory1700000000007';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE device_status_history (
        site_id     text        NOT NULL,
        device_id   text        NOT NULL,
        state       text        NOT NULL CHECK (state IN ('online', 'offline')),
        ts          timestamptz NOT NULL,
        received_at timestamptz NOT NULL,
        applied     boolean     NOT NULL
      )`);
    await queryRunner.query(
      'CREATE INDEX device_status_history_device ON device_status_history (site_id, device_id, received_at DESC)',
    );
    await queryRunner.query(`REVOKE ALL ON device_status_history FROM PUBLIC`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE device_status_history');
  }
}
