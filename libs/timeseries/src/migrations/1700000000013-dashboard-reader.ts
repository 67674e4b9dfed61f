import { MigrationInterface, QueryRunner } from 'typeorm';
import { GRAFANA_ROLE } from '../resident-access';

/** The fewest participants' meters summed into one figure for the dashboards: fewer, and one could be singled out. */
export const DASHBOARD_MIN_METERS = 3;

/**
 * What Grafana's role reads (issue 15): the îlot's aggregates and shared devices, never one participant's curve.
 * Migration 5 granted it every table, so the overview's "energy by device" listed each flat's meter. Now it reads
 * views only, besides the operational tables (plans, commands, signals, statuses):
 *
 * - `dashboard_devices`: the îlot's shared devices (all but the participants' meters), kept by the metrics app from
 *   the site definitions (libs/site `sharedDevices`). Operator data; Grafana reads it only through the views.
 * - `dashboard_readings_15m`: the 15-min aggregate of those devices alone (security barrier).
 * - `dashboard_participants_15m`: the participants' meters of a site summed per quarter hour, only where at least
 *   DASHBOARD_MIN_METERS reported, and only for a site whose devices are known (fails closed).
 * - `dashboard_rejected_messages`: refusals without their payload (a resident meter's reading may be in it).
 *
 * Tables added later are not Grafana's unless a migration grants them.
 */
export class DashboardReader1700000000013 implements MigrationInterface {
  name = 'DashboardReader1700000000013';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE dashboard_devices (
        site_id   text NOT NULL,
        device_id text NOT NULL,
        kind      text NOT NULL,
        PRIMARY KEY (site_id, device_id)
      )`);
    await queryRunner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${GRAFANA_ROLE}`);
    await queryRunner.query(`
      CREATE VIEW dashboard_readings_15m WITH (security_barrier) AS
      SELECT r.site_id, r.device_id, d.kind, r.bucket, r.samples, r.power_sum_w, r.soc_sum_pct, r.soc_samples
        FROM readings_15m r JOIN dashboard_devices d ON d.site_id = r.site_id AND d.device_id = r.device_id`);
    await queryRunner.query(`
      CREATE VIEW dashboard_participants_15m WITH (security_barrier) AS
      SELECT r.site_id, r.bucket, count(*)::int AS meters, sum(r.power_sum_w / r.samples) AS power_w
        FROM readings_15m r
       WHERE EXISTS (SELECT FROM dashboard_devices k WHERE k.site_id = r.site_id)
         AND NOT EXISTS (SELECT FROM dashboard_devices d WHERE d.site_id = r.site_id AND d.device_id = r.device_id)
       GROUP BY r.site_id, r.bucket
      HAVING count(*) >= ${DASHBOARD_MIN_METERS}`);
    await queryRunner.query(`
      CREATE VIEW dashboard_rejected_messages AS
      SELECT id, received_at, topic, reason, detail FROM rejected_messages`);
    await queryRunner.query(
      `GRANT SELECT ON dashboard_readings_15m, dashboard_participants_15m, dashboard_rejected_messages,
         plans, commands, signals, device_status TO ${GRAFANA_ROLE}`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      'DROP VIEW dashboard_rejected_messages, dashboard_participants_15m, dashboard_readings_15m',
    );
    await queryRunner.query('DROP TABLE dashboard_devices');
  }
}
