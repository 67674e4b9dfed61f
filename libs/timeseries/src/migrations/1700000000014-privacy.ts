import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Residents' control of their data (issue 15), both tables append-only (a trigger refuses UPDATE and DELETE, to the
 * owner too):
 *
 * - `participant_consents`: every consent given or withdrawn, per participant and scope (`detailed_curve`: their
 *   meter's 15/30-minute curve shown, exported and kept past the îlot's operation), with when, how and by whom.
 *   The newest row of a scope is in force; none means no consent (daily and monthly values only).
 * - `personal_data_access`: who read which participant's data, when, by which route (the operator reads it).
 */
export class Privacy1700000000014 implements MigrationInterface {
  name = 'Privacy1700000000014';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE participant_consents (
        id             bigserial   PRIMARY KEY,
        site_id        text        NOT NULL,
        participant_id text        NOT NULL,
        scope          text        NOT NULL CHECK (scope IN ('detailed_curve')),
        granted        boolean     NOT NULL,
        at             timestamptz NOT NULL,
        given_by       text        NOT NULL CHECK (given_by IN ('resident', 'operator')),
        how            text        NOT NULL CHECK (length(how) BETWEEN 1 AND 200)
      )`);
    await queryRunner.query(
      `CREATE INDEX participant_consents_current ON participant_consents (site_id, participant_id, scope, id DESC)`,
    );
    await queryRunner.query(`
      CREATE TABLE personal_data_access (
        id             bigserial   PRIMARY KEY,
        at             timestamptz NOT NULL,
        site_id        text        NOT NULL,
        participant_id text        NOT NULL,
        viewer_role    text        NOT NULL CHECK (viewer_role IN ('resident', 'operator')),
        viewer_id      text,
        route          text        NOT NULL,
        what           text        NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX personal_data_access_participant ON personal_data_access (site_id, participant_id, at DESC)`,
    );
    await queryRunner.query(`
      CREATE FUNCTION ilot_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['participant_consents', 'personal_data_access']) {
      await queryRunner.query(`REVOKE ALL ON ${table} FROM PUBLIC`);
      await queryRunner.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION ilot_append_only()`,
      );
      await queryRunner.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION ilot_append_only()`,
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE personal_data_access, participant_consents');
    await queryRunner.query('DROP FUNCTION ilot_append_only()');
  }
}
