import type { ChildProcess } from 'node:child_process';
import { spawnLauncher } from './support/launcher';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ownedClientIdOf } from './support/services';
import mqtt from 'mqtt';
import { stringify } from 'yaml';
import { generateSiteDocuments } from '@ilot/site';
import { testPort, waitFor } from './support/services';
import { readPassword } from '@ilot/mqtt';

/**
 * `npm start` with a folder of îlots (issue 14: "npm start still runs the demo alone, and can run several"): on the
 * embedded broker and database, every îlot of ILOT_SITES_DIR simulated, ingested and planned in one process.
 */
describe('npm start with ILOT_SITES_DIR: several îlots on embedded defaults', () => {
  const root = join(__dirname, '..');
  const dataDir = mkdtempSync(join(tmpdir(), 'ilot-start-fleet-'));
  const sitesDir = mkdtempSync(join(tmpdir(), 'ilot-fleet-'));
  const ids = generateSiteDocuments(3, 21).map((document) => {
    writeFileSync(join(sitesDir, `${String(document.id)}.yaml`), stringify(document));
    return String(document.id);
  });
  // below the ephemeral range (testPort): CI run of stop 37 drew 56070 for PostgreSQL, taken by an outgoing connection
  const ports = { mqtt: testPort(), pg: testPort() };
  const httpPort = testPort();
  let child: ChildProcess;
  let output: () => string;

  beforeAll(() => {
    ({ child, output } = spawnLauncher(root, {
      ILOT_EMBEDDED_MQTT_PORT: String(ports.mqtt),
      ILOT_EMBEDDED_PG_PORT: String(ports.pg),
      ILOT_HTTP_PORT: String(httpPort),
      ILOT_DATA_DIR: dataDir,
      ILOT_SITES_DIR: sitesDir,
      ILOT_SPEEDUP: '60',
    }));
  });

  afterAll(async () => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      process.kill(-child.pid!, 'SIGINT');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('says how many îlots run, lists them to the operator, and plans each of them', async () => {
    await waitFor(
      'the start-up banner',
      async () => {
        if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}: ${output()}`);
        return output().includes('Ctrl-C stops everything');
      },
      90_000,
    );
    expect(output()).toMatch(new RegExp(`3 îlots of ${sitesDir} are running \\(\\d+ devices simulated`));
    // The operator token npm start made up is in the data folder, never on the terminal (issue 26).
    const token = readFileSync(join(dataDir, 'operator-token'), 'utf8').trim();
    const listed = (await (
      await fetch(`http://127.0.0.1:${httpPort}/api/v1/sites`, { headers: { authorization: `Bearer ${token}` } })
    ).json()) as { sites: Array<{ siteId: string }> };
    expect(listed.sites.map((s) => s.siteId).sort()).toEqual([...ids].sort());

    // On the embedded broker each identity reads its own: the ingestion's telemetry of every îlot, and each îlot's
    // schedule by one of its own devices (its grid meter), with the credentials npm start made in the data folder.
    const as = (username: string) =>
      mqtt.connectAsync(`mqtt://127.0.0.1:${ports.mqtt}`, {
        protocolVersion: 4,
        username,
        password: readPassword(join(dataDir, 'mqtt'), username),
        clientId: ownedClientIdOf(username, 'watch'),
      });
    const clients = [await as('ilot-ingestion'), ...(await Promise.all(ids.map((id) => as(`${id}/grid`))))];
    const planned = new Set<string>();
    const telemetry = new Set<string>();
    for (const client of clients)
      client.on('message', (topic) => {
        const [, , siteId, , kind] = topic.split('/');
        if (topic.endsWith('/schedule')) planned.add(siteId);
        if (kind === 'telemetry') telemetry.add(siteId);
      });
    await clients[0].subscribeAsync('ilot/v1/+/+/telemetry', { qos: 1 });
    for (const [n, id] of ids.entries()) await clients[n + 1].subscribeAsync(`ilot/v1/${id}/schedule`, { qos: 1 });
    await waitFor(
      'a schedule and telemetry for every îlot',
      async () => planned.size === 3 && telemetry.size === 3,
      60_000,
    );
    await Promise.all(clients.map((client) => client.endAsync()));
    expect([...planned].sort()).toEqual([...ids].sort());
  }, 180_000);
});
