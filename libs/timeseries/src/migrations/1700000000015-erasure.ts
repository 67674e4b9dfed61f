import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A participant who left the îlot is erased by pseudonym (issue 15, docs/privacy.md): their rows keep their figures
 * (the îlot's totals and the other residents' reports do not move) under a pseudonym no table links to them.
 *
 * - The append-only tables (consents, access log) accept one UPDATE: of the participant's and viewer's ids alone,
 *   in a transaction that says it erases (`ilot.erasure` = on); anything else is still refused.
 * - `participant_erasures`: when, which pseudonym, how many rows; never the former id.
 */
export class Erasure1700000000015 implements MigrationInterface {
  name = 'Erasure1700000000015';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ilot_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'UPDATE' AND current_setting('ilot.erasure', true) = 'on'
           AND (to_jsonb(NEW) - 'participant_id' - 'viewer_id') = (to_jsonb(OLD) - 'participant_id' - 'viewer_id') THEN
          RETURN NEW;
        END IF;
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(`
      CREATE TABLE participant_erasures (
        id        bigserial   PRIMARY KEY,
        site_id   text        NOT NULL,
        at        timestamptz NOT NULL,
        pseudonym text        NOT NULL,
        rows      integer     NOT NULL
      )`);
    await queryRunner.query(`REVOKE ALL ON participant_erasures FROM PUBLIC`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE participant_erasures');
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ilot_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
      END $$`);
  }
}
