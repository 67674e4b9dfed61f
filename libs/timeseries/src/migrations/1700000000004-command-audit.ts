import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The command audit trail: one row per event in a command's life (issued, then applied or rejected
 * by its controller; later: retried, verified, not followed), with the plan, the reason and the
 * SHA-256 of the payload sent. Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE for every
 * role (only a superuser or the owner disabling the trigger could change it, and that is logged by
 * PostgreSQL itself), and the privileges are revoked from PUBLIC.
 */
export class CommandAudit1700000000004 implements MigrationInterface {
  name = 'CommandAudit1700000000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE command_audit (
        id             bigserial   PRIMARY KEY,
        cmd_id         uuid        NOT NULL,
        site_id        text        NOT NULL,
        device_id      text        NOT NULL,
        event          text        NOT NULL CHECK (event IN ('issued', 'applied', 'rejected', 'retried', 'unacknowledged', 'followed', 'not_followed')),
        plan_id        bigint,
        reason         text,
        payload_sha256 text        CHECK (payload_sha256 ~ '^[0-9a-f]{64}$'),
        detail         jsonb,
        at             timestamptz NOT NULL,
        recorded_at    timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`CREATE INDEX command_audit_cmd ON command_audit (cmd_id, id)`);
    await queryRunner.query(`
      CREATE FUNCTION command_audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'command_audit is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER command_audit_no_update_delete BEFORE UPDATE OR DELETE ON command_audit FOR EACH ROW EXECUTE FUNCTION command_audit_is_append_only()`,
    );
    await queryRunner.query(
      `CREATE TRIGGER command_audit_no_truncate BEFORE TRUNCATE ON command_audit FOR EACH STATEMENT EXECUTE FUNCTION command_audit_is_append_only()`,
    );
    await queryRunner.query(`REVOKE UPDATE, DELETE, TRUNCATE ON command_audit FROM PUBLIC`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE command_audit');
    await queryRunner.query('DROP FUNCTION command_audit_is_append_only()');
  }
}
