import { API_ROLE, GRAFANA_ROLE } from '@ilot/timeseries';
import { TEST_SERVER_URL } from '@ilot/timeseries/testing/test-database';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import { parse } from 'yaml';

const deploy = join(__dirname, '..', 'deploy');
const read = (path: string) => parse(readFileSync(join(deploy, path), 'utf8'), { merge: true });

/** What can be checked here of the deploy files (Docker does not run on this machine): the database roles. */
describe('deploy: the database roles', () => {
  it('wires the reports to ilot_api and Grafana to grafana_reader, their passwords made by init-roles.sh', () => {
    const compose = read('docker-compose.yml');
    // The metrics app writes the ledger as the owner; the API reads the residents' reports as ilot_api (issue 25: two apps).
    expect(compose.services.metrics.environment.ILOT_DATABASE_URL).toMatch(/^postgres:\/\/ilot:/);
    expect(compose.services.metrics.environment.ILOT_API_DATABASE_URL).toBeUndefined();
    const api = compose.services.api.environment;
    expect(api.ILOT_DATABASE_URL).toMatch(/^postgres:\/\/ilot:/); // the owner, for the migrations and the tickets' key
    expect(api.ILOT_API_DATABASE_URL).toMatch(new RegExp(`^postgres://${API_ROLE}:\\$\\{ILOT_API_DB_PASSWORD:\\?`));
    expect(compose.services.timescaledb.volumes).toContain(
      './postgres/init-roles.sh:/docker-entrypoint-initdb.d/10-ilot-roles.sh:ro',
    );
    expect(Object.keys(compose.services.timescaledb.environment)).toEqual(
      expect.arrayContaining(['ILOT_API_DB_PASSWORD', 'GRAFANA_DB_PASSWORD']),
    );
    const datasources = read('grafana/provisioning/datasources/datasources.yml').datasources;
    expect(datasources.find((d: { type: string }) => d.type === 'grafana-postgresql-datasource').user).toBe(
      GRAFANA_ROLE,
    );
  });

  it('init-roles.sh makes both roles log in with the passwords given (quotes included), neither superuser nor BYPASSRLS', async () => {
    const server = new URL(TEST_SERVER_URL);
    const admin = new Client({ connectionString: TEST_SERVER_URL });
    await admin.connect();
    try {
      execFileSync('bash', [join(deploy, 'postgres', 'init-roles.sh')], {
        env: {
          PATH: process.env.PATH,
          PGHOST: server.hostname,
          PGPORT: server.port || '5432',
          POSTGRES_USER: decodeURIComponent(server.username),
          POSTGRES_DB: server.pathname.slice(1),
          ILOT_API_DB_PASSWORD: "api 'secret' \\ 1",
          GRAFANA_DB_PASSWORD: 'grafana-secret',
        },
        stdio: 'pipe',
      });
      const roles = await admin.query(
        `SELECT rolname, rolcanlogin, rolsuper, rolbypassrls, rolpassword IS NOT NULL AS has_password FROM pg_authid WHERE rolname = ANY($1) ORDER BY rolname`,
        [[API_ROLE, GRAFANA_ROLE]],
      );
      expect(roles.rows).toEqual(
        [GRAFANA_ROLE, API_ROLE]
          .sort()
          .map((rolname) => ({ rolname, rolcanlogin: true, rolsuper: false, rolbypassrls: false, has_password: true })),
      );
    } finally {
      // The machine's server trusts local connections; leave the shared roles as the migrations make them.
      for (const role of [API_ROLE, GRAFANA_ROLE]) await admin.query(`ALTER ROLE ${role} PASSWORD NULL`);
      await admin.end();
    }
  });

  it('init-roles.sh refuses to run without the passwords', () => {
    expect(() =>
      execFileSync('bash', [join(deploy, 'postgres', 'init-roles.sh')], {
        env: { PATH: process.env.PATH },
        stdio: 'pipe',
      }),
    ).toThrow(/ILOT_API_DB_PASSWORD: set ILOT_API_DB_PASSWORD/);
  });
});
