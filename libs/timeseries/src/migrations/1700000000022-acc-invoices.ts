import { MigrationInterface, QueryRunner } from 'typeorm';
import { API_ROLE } from '../resident-access';

/** How long an invoice is kept at the least: French accounting documents, 10 years (code de commerce, L123-22). */
export const INVOICE_RETENTION_YEARS = 10;

/**
 * The invoice register of an operation on the public grid (issue 29 §4): invoices and credit notes, one unbroken
 * sequence per site, each with its PDF, its Factur-X XML (business buyers) and the figures it was made of.
 *
 * - Immutable: a trigger refuses every UPDATE, and every DELETE of a document younger than its legal retention; a
 *   correction is a credit note, never an edit.
 * - A participant's own: row-level security as the resident ledger's (ADR 0007); the API role reads, the owner writes
 *   as the operator. Grafana reads none of it.
 */
export class AccInvoices1700000000022 implements MigrationInterface {
  name = 'AccInvoices1700000000022';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE acc_invoices (
        site_id        text        NOT NULL,
        seq            integer     NOT NULL CHECK (seq > 0),
        number         text        NOT NULL,
        kind           text        NOT NULL CHECK (kind IN ('invoice', 'credit-note')),
        corrects       text,
        month          text        NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        participant_id text        NOT NULL,
        issue_date     date        NOT NULL,
        issued_at      timestamptz NOT NULL,
        net_cents      bigint      NOT NULL,
        vat_cents      bigint      NOT NULL,
        gross_cents    bigint      NOT NULL CHECK (gross_cents = net_cents + vat_cents),
        document       jsonb       NOT NULL,
        pdf            bytea       NOT NULL,
        facturx_xml    text,
        sha256         text        NOT NULL,
        PRIMARY KEY (site_id, number),
        UNIQUE (site_id, seq),
        CHECK ((kind = 'credit-note') = (corrects IS NOT NULL))
      )`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX acc_invoices_one_credit ON acc_invoices (site_id, corrects) WHERE corrects IS NOT NULL`,
    );
    await queryRunner.query(`CREATE INDEX acc_invoices_by_month ON acc_invoices (site_id, month, participant_id)`);
    await queryRunner.query(`
      CREATE FUNCTION acc_invoices_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND OLD.issued_at < now() - interval '${INVOICE_RETENTION_YEARS} years' THEN
          RETURN OLD;
        END IF;
        RAISE EXCEPTION 'acc_invoices is an immutable register: % of % cannot be changed (issue a credit note)',
          OLD.number, OLD.site_id USING ERRCODE = 'integrity_constraint_violation';
      END $$`);
    await queryRunner.query(`
      CREATE TRIGGER acc_invoices_immutable BEFORE UPDATE OR DELETE ON acc_invoices
        FOR EACH ROW EXECUTE FUNCTION acc_invoices_immutable()`);
    const visible = `site_id = (SELECT ilot_viewer()->>'site')
       AND ((SELECT ilot_viewer()->>'role') = 'operator' OR participant_id = (SELECT ilot_viewer()->>'participant'))`;
    await queryRunner.query(`ALTER TABLE acc_invoices ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`ALTER TABLE acc_invoices FORCE ROW LEVEL SECURITY`);
    await queryRunner.query(
      `CREATE POLICY acc_invoices_viewer ON acc_invoices USING (${visible}) WITH CHECK (${visible})`,
    );
    await queryRunner.query(`REVOKE ALL ON acc_invoices FROM PUBLIC`);
    await queryRunner.query(`GRANT SELECT ON acc_invoices TO ${API_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE acc_invoices');
    await queryRunner.query('DROP FUNCTION acc_invoices_immutable()');
  }
}
