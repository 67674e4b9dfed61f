import { deviceUsername } from '@ilot/protocol';
import { loadSiteFile } from '@ilot/site';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { Client } from 'pg';
import type { RunningIlot } from '../apps/ilot/src/ilot.app';
import { startIlot } from '../apps/ilot/src/ilot.app';
import { DeployedBroker, startDeployedBroker } from './support/deployed-broker';
import { uniqueDemoSite, waitFor } from './support/services';
import { TEST_OPERATOR_TOKEN, TEST_TOKEN_SECRET } from './support/test-ilot';

/**
 * Issue 15: the whole îlot on the production broker (deploy/mosquitto: TLS, passwords, ACL): the apps each as their
 * own service identity, every simulated device as `site/device` with its own password, all over TLS. The loop runs:
 * readings stored, commands applied and acknowledged.
 */
describe('the îlot on the production broker: TLS and a credential for every app and device', () => {
  const { path: siteFile, siteId } = uniqueDemoSite('tls');
  const site = loadSiteFile(siteFile);
  let deployed: DeployedBroker;
  let database: TestDatabase;
  let ilot: RunningIlot;
  let db: Client;

  beforeAll(async () => {
    deployed = await startDeployedBroker([{ id: siteId, deviceIds: [...site.devices.keys()] }]);
    database = await createTestDatabase('ilot_tls');
    ilot = await startIlot({
      // As deployed: the apps on the services' listener, the devices on the TLS one (issue 26: each listener its own users).
      ILOT_MQTT_URL: deployed.servicesUrl,
      ILOT_SIM_MQTT_URL: deployed.tlsUrl,
      ILOT_MQTT_PROTOCOL_VERSION: '5',
      ILOT_MQTT_CREDENTIALS_DIR: deployed.credentials,
      ILOT_MQTT_CA_FILE: deployed.pki.caCert,
      ILOT_DATABASE_URL: database.url,
      ILOT_SITE_FILE: siteFile,
      ILOT_HTTP_PORT: '0',
      ILOT_SPEEDUP: '120',
      ILOT_SIM_START: '2026-06-17T09:00:00Z',
      ILOT_SIM_START_REAL: new Date().toISOString(),
      ILOT_LOG_LEVEL: 'warn',
      ILOT_OPERATOR_TOKEN: TEST_OPERATOR_TOKEN,
      ILOT_TOKEN_SECRET: TEST_TOKEN_SECRET,
    });
    db = new Client({ connectionString: database.url });
    await db.connect();
  }, 90_000);

  afterAll(async () => {
    await ilot?.stop();
    await db?.end();
    await deployed?.broker.stop();
    await database?.drop();
  }, 30_000);

  it('stores every device’s readings and has its commands applied, each app and device as itself', async () => {
    await waitFor(
      'three applied commands',
      async () =>
        (await db.query(`SELECT count(*)::int AS n FROM commands WHERE ack_status = 'applied'`)).rows[0].n >= 3,
      60_000,
    );
    // Every device: the electricity ones' readings, and the gas and water meters' (every 15 simulated minutes).
    const devices = async () =>
      (
        await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM (SELECT DISTINCT device_id FROM readings UNION SELECT DISTINCT device_id FROM commodity_readings) d`,
        )
      ).rows[0].n;
    await waitFor('a reading of every device', async () => (await devices()) === site.devices.size, 30_000);
    expect(await devices()).toBe(site.devices.size);
    // Each as itself: the apps by their service names, each device by its own.
    for (const user of ['ilot-ingestion', 'ilot-optimiser', deviceUsername(siteId, 'bat-1')])
      expect(deployed.broker.output).toContain(`u'${user}')`);
  }, 90_000);
});
