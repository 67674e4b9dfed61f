import type { DataSource, EntityManager } from 'typeorm';
import type { Viewer, ViewerTickets } from './viewer-tickets';

export type { Viewer } from './viewer-tickets';

/** The role the report API connects as: neither owner nor superuser, SELECT on the resident ledger only. */
export const API_ROLE = 'ilot_api';
/** The role Grafana's database source connects as: SELECT on the measurements, not on the resident ledger. */
export const GRAFANA_ROLE = 'grafana_reader';
/** The tables under row-level security (migrations 5 and 16). */
export const RESIDENT_TABLES = [
  'participant_steps',
  'participant_months',
  'participant_effacements',
  'participant_commodity_hours',
  'participant_commodity_months',
] as const;
/**
 * The setting that carries the viewer's ticket (migration 12); set per transaction (SET LOCAL), so nothing outlives
 * it on a pooled connection.
 */
export const VIEWER_TICKET_SETTING = 'ilot.viewer_ticket';

/**
 * Runs `work` in a transaction whose viewer ticket (signed, `ViewerTickets`) says who is asking, for one site. The
 * setting is transaction-local: a pooled connection goes back to the pool with nothing set, and sees nothing.
 */
export async function asViewer<T>(
  db: DataSource,
  tickets: ViewerTickets,
  siteId: string,
  viewer: Viewer,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return db.transaction(async (manager) => {
    await manager.query(`SELECT set_config($1, $2, true)`, [
      VIEWER_TICKET_SETTING,
      tickets.ticket(siteId, viewer, Date.now()),
    ]);
    return work(manager);
  });
}

/**
 * Why this connection must not serve residents' reads, or undefined when it may: row-level security does not
 * bind a superuser or a BYPASSRLS role, and the API must not own the tables (an owner can drop the policies).
 */
export async function apiRoleProblem(db: DataSource): Promise<string | undefined> {
  const rows: Array<{ name: string; superuser: boolean; bypass: boolean; owns: boolean }> = await db.query(
    `SELECT r.rolname AS name, r.rolsuper AS superuser, r.rolbypassrls AS bypass,
            EXISTS (SELECT FROM pg_tables t WHERE t.schemaname = 'public' AND pg_has_role(current_user, t.tableowner, 'USAGE')) AS owns
       FROM pg_roles r WHERE r.rolname = current_user`,
  );
  const role = rows[0];
  if (!role) return 'the connection has no role';
  if (role.superuser) return `it connects as "${role.name}", a superuser, whom row-level security does not bind`;
  if (role.bypass) return `it connects as "${role.name}", which has BYPASSRLS`;
  if (role.owns) return `it connects as "${role.name}", which owns (or is a member of the owner of) the îlot's tables`;
  return undefined;
}

/**
 * The statement that creates a login role bound by row-level security, unless it exists. Roles are the cluster's:
 * another database (or a migration running beside) may have made it already.
 */
export function createRoleIfMissing(role: string): string {
  return `DO $$
    BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${role}') THEN
        IF NOT (SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user) THEN
          RAISE EXCEPTION 'role ${role} does not exist and % may not create it: CREATE ROLE ${role} LOGIN first (see deploy/postgres)', current_user;
        END IF;
        CREATE ROLE ${role} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
      END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$`;
}
