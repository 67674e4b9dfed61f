import { MigrationInterface, QueryRunner } from 'typeorm';
import { GRAFANA_ROLE } from '../resident-access';

/**
 * The PMO's month of a collective self-consumption operation on the public grid (issue 29). Operator data; none of
 * it is the API role's (the operator routes read it on the owner's connection):
 *
 * - `acc_key_files`: every key file written, as sent (a month written again keeps the earlier ones).
 * - `acc_imports` and `acc_distributor_steps`: the distributor's monthly data, per delivery point and step, whole
 *   Wh, null where it did not measure; a month imported again replaces the month's steps (the import log keeps both).
 * - `acc_reconciliations`: the newest reconciliation of each month, per delivery point and quantity, with the
 *   explanations of its differences.
 *
 * Grafana reads a summary per month and cause (`dashboard_acc_reconciliation`), no delivery point's figure.
 */
export class AccMonth1700000000021 implements MigrationInterface {
  name = 'AccMonth1700000000021';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE acc_key_files (
        site_id    text        NOT NULL,
        month      text        NOT NULL,
        file_name  text        NOT NULL,
        written_at timestamptz NOT NULL,
        sha256     text        NOT NULL,
        body       text        NOT NULL,
        PRIMARY KEY (site_id, month, file_name, written_at)
      )`);
    await queryRunner.query(`
      CREATE TABLE acc_imports (
        id          bigserial   PRIMARY KEY,
        site_id     text        NOT NULL,
        month       text        NOT NULL,
        imported_at timestamptz NOT NULL,
        sha256      text        NOT NULL,
        rows        integer     NOT NULL
      )`);
    await queryRunner.query(`
      CREATE TABLE acc_distributor_steps (
        site_id      text        NOT NULL,
        month        text        NOT NULL,
        prm          text        NOT NULL,
        role         text        NOT NULL CHECK (role IN ('consumer', 'producer')),
        ts           timestamptz NOT NULL,
        total_wh     integer     CHECK (total_wh >= 0),
        allocated_wh integer     CHECK (allocated_wh >= 0),
        rest_wh      integer     CHECK (rest_wh >= 0),
        import_id    bigint      NOT NULL REFERENCES acc_imports (id),
        PRIMARY KEY (site_id, prm, ts)
      )`);
    await queryRunner.query(`CREATE INDEX acc_distributor_steps_by_month ON acc_distributor_steps (site_id, month)`);
    await queryRunner.query(`
      CREATE TABLE acc_reconciliations (
        site_id        text             NOT NULL,
        month          text             NOT NULL,
        point_id       text             NOT NULL,
        prm            text             NOT NULL,
        role           text             NOT NULL,
        quantity       text             NOT NULL CHECK (quantity IN ('total', 'allocated')),
        ilot_wh        double precision NOT NULL,
        distributor_wh double precision NOT NULL,
        difference_wh  double precision NOT NULL,
        difference_pct double precision NOT NULL,
        rounding_wh    double precision NOT NULL,
        flagged        boolean          NOT NULL,
        explanations   jsonb            NOT NULL,
        computed_at    timestamptz      NOT NULL,
        PRIMARY KEY (site_id, month, prm, quantity)
      )`);
    await queryRunner.query(
      `REVOKE ALL ON acc_key_files, acc_imports, acc_distributor_steps, acc_reconciliations FROM PUBLIC`,
    );
    await this.dashboardView(queryRunner);
  }

  /** Grafana's summary: per month, role, quantity and cause, the points and the difference, no point's own figure. */
  private async dashboardView(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE VIEW dashboard_acc_reconciliation AS
      SELECT r.site_id, r.month, r.role, r.quantity,
             coalesce(e.value->>'cause', 'none') AS cause,
             count(DISTINCT r.prm)::int AS points,
             count(DISTINCT r.prm) FILTER (WHERE r.flagged)::int AS flagged_points,
             coalesce(sum((e.value->>'differenceWh')::float8), 0) / 1000 AS difference_kwh,
             max(r.computed_at) AS computed_at
        FROM acc_reconciliations r
        LEFT JOIN LATERAL jsonb_array_elements(r.explanations) e ON true
       GROUP BY r.site_id, r.month, r.role, r.quantity, coalesce(e.value->>'cause', 'none')`);
    await queryRunner.query(`GRANT SELECT ON dashboard_acc_reconciliation TO ${GRAFANA_ROLE}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP VIEW dashboard_acc_reconciliation');
    await queryRunner.query('DROP TABLE acc_reconciliations, acc_distributor_steps, acc_imports, acc_key_files');
  }
}
