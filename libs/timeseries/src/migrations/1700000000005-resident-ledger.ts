import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE, createRoleIfMissing, GRAFANA_ROLE } from '../resident-access';

/** The resident tables as they were when this migration was written (a migration never changes with later ones). */
const RESIDENT_TABLES = ['participant_steps', 'participant_months', 'participant_effacements'] as const;

/**
 * What residents may read, and who may read it (ADR 0007).
 *
 * - The resident ledger: `participant_steps` (each participant's consumption and the part of the îlot's
 *   production allocated to it, per 15-min step), `participant_months` (its month total and the anonymous
 *   totals of similar homes) and `participant_effacements` (its part in each effacement order). The operator's
 *   side computes them from every meter (the allocation needs them all) and writes them.
 * - Row-level security, FORCEd (the owner is bound too, unless superuser): a row is visible when the
 *   transaction set `ilot.site` to its site and either `ilot.role` to `operator` or `ilot.participant` to its
 *   participant. Unset, nothing is visible and nothing can be written: it fails closed.
 * - `ilot_api`: the role the report API connects as. Neither owner nor superuser; it may only SELECT the
 *   ledger. `grafana_reader`: the operator's dashboards, SELECT on the measurements, not on the ledger.
 *   Both are created without a password (cluster-wide, once): the deployment sets one (deploy/postgres).
 *   Creating them needs CREATEROLE; without it, create them beforehand and the migration only grants.
 */
export class ResidentLedger1700000000005 implements MigrationInterface {
  name = 'ResidentLedger1700000000005';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE participant_steps (
        site_id        text             NOT NULL,
        participant_id text             NOT NULL,
        ts             timestamptz      NOT NULL,
        consumption_wh double precision NOT NULL CHECK (consumption_wh >= 0),
        allocated_wh   double precision NOT NULL CHECK (allocated_wh >= 0 AND allocated_wh <= consumption_wh + 1e-6),
        PRIMARY KEY (site_id, participant_id, ts)
      )`);
    await queryRunner.query(`CREATE INDEX participant_steps_site_ts ON participant_steps (site_id, ts)`);
    await queryRunner.query(`
      CREATE TABLE participant_months (
        site_id         text               NOT NULL,
        participant_id  text               NOT NULL,
        month           text               NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        consumption_kwh double precision   NOT NULL CHECK (consumption_kwh >= 0),
        peers_kwh       double precision[] NOT NULL,
        PRIMARY KEY (site_id, participant_id, month)
      )`);
    await queryRunner.query(`
      CREATE TABLE participant_effacements (
        site_id        text             NOT NULL,
        participant_id text             NOT NULL,
        signal_key     text             NOT NULL,
        starts_at      timestamptz      NOT NULL,
        ends_at        timestamptz      NOT NULL,
        delivered_wh   double precision NOT NULL,
        PRIMARY KEY (site_id, participant_id, signal_key)
      )`);
    // Replaced by migration 12 (settings any role may set are no proof of who asks).
    const visible = `site_id = current_setting('ilot.site', true)
       AND (current_setting('ilot.role', true) = 'operator' OR participant_id = current_setting('ilot.participant', true))`;
    for (const table of RESIDENT_TABLES) {
      await queryRunner.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await queryRunner.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await queryRunner.query(`CREATE POLICY ${table}_viewer ON ${table} USING (${visible}) WITH CHECK (${visible})`);
      await queryRunner.query(`REVOKE ALL ON ${table} FROM PUBLIC`);
    }
    for (const role of [API_ROLE, GRAFANA_ROLE]) await queryRunner.query(createRoleIfMissing(role));
    await queryRunner.query(`GRANT USAGE ON SCHEMA public TO ${API_ROLE}, ${GRAFANA_ROLE}`);
    await queryRunner.query(`GRANT SELECT ON ${RESIDENT_TABLES.join(', ')} TO ${API_ROLE}`);
    // The dashboards read the measurements, plans, commands and signals (and the aggregates, views included).
    await queryRunner.query(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${GRAFANA_ROLE}`);
    await queryRunner.query(`REVOKE ALL ON ${RESIDENT_TABLES.join(', ')} FROM ${GRAFANA_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${GRAFANA_ROLE}`);
    await queryRunner.query(`REVOKE USAGE ON SCHEMA public FROM ${API_ROLE}, ${GRAFANA_ROLE}`);
    await queryRunner.query(`DROP TABLE ${RESIDENT_TABLES.join(', ')}`);
  }
}
