import { apiRoleProblem, API_ROLE, createDataSource } from '@ilot/timeseries';
import { withoutPassword } from '@ilot/runtime';
import type { DataSource } from 'typeorm';

/** ILOT_DATABASE_URL as the API role, without a password (a deployment that sets one gives ILOT_API_DATABASE_URL). */
export function apiDatabaseUrl(databaseUrl: string, apiUrl?: string): string {
  if (apiUrl) return apiUrl;
  const url = new URL(databaseUrl);
  url.username = API_ROLE;
  url.password = '';
  return url.toString();
}

/**
 * The residents' reports' connection, refused unless row-level security binds it: a superuser, a BYPASSRLS role
 * or the tables' owner would see every resident's rows.
 */
export async function openResidentDatabase(url: string, poolSize = 4): Promise<DataSource> {
  const db = createDataSource(url, poolSize);
  const shown = withoutPassword(url);
  try {
    await db.initialize();
  } catch (error) {
    throw new Error(`ILOT_API_DATABASE_URL (${shown}): cannot connect: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const problem = await apiRoleProblem(db);
  if (problem) {
    await db.destroy();
    throw new Error(
      `ILOT_API_DATABASE_URL (${shown}) may not serve residents' reports: ${problem}. Connect as ${API_ROLE} (the migrations create it).`,
    );
  }
  return db;
}
