import { TEST_MQTT_URL, waitFor } from '@ilot/mqtt/testing/broker';
import { readFileSync } from 'node:fs';
import { RPCClient } from 'ocpp-rpc';
import { makeTestPki, type TestPki } from '@ilot/mqtt/testing/test-pki';
import { EdgeGateway } from '../edge-gateway';
import { startTestGateway } from '../testing/test-gateway';
import { SiteMessages } from '../testing/site-messages';
import { chargingLimit } from './ocpp-central';

const SITE = `ocpp-tls-${process.pid}`;
const PORT = 17_600 + (process.pid % 300);
const PASSWORD = 'a-16-char-secret-tls';
type ClientOptions = ConstructorParameters<typeof RPCClient>[0];

describe('chargingLimit: W, or A per phase', () => {
  it.each([
    [{ limitUnit: 'W', phases: 3, voltageV: 230 }, 11_000, { unit: 'W', period: { startPeriod: 0, limit: 11_000 } }],
    // 11 kW on three phases at 230 V: 15.94 A, rounded down so the charger never draws more than planned.
    [
      { limitUnit: 'A', phases: 3, voltageV: 230 },
      11_000,
      { unit: 'A', period: { startPeriod: 0, limit: 15.9, numberPhases: 3 } },
    ],
    [
      { limitUnit: 'A', phases: 1, voltageV: 230 },
      3680,
      { unit: 'A', period: { startPeriod: 0, limit: 16, numberPhases: 1 } },
    ],
    [
      { limitUnit: 'A', phases: 1, voltageV: 230 },
      0,
      { unit: 'A', period: { startPeriod: 0, limit: 0, numberPhases: 1 } },
    ],
  ] as const)('%j, %d W -> %j', (config, maxW, expected) => {
    expect(chargingLimit(config, maxW)).toEqual(expected);
  });
});

/**
 * OCPP security profile 2 (issue 28): the gateway's endpoint on TLS (wss://, a certificate of a test CA made with
 * openssl), the charger still logging in with its password; its limits in amps per phase, as most AC chargers take them.
 */
describe('edge gateway: OCPP over TLS (security profile 2), limits in amps', () => {
  let pki: TestPki;
  let gateway: EdgeGateway;
  let messages: SiteMessages;
  const clients: RPCClient[] = [];
  const profiles: Array<Record<string, unknown>> = [];

  const client = (options: { endpoint: string; password: string; ca?: Buffer }) => {
    const cp = new RPCClient({
      endpoint: options.endpoint,
      identity: 'CP-TLS',
      password: options.password,
      protocols: ['ocpp1.6'],
      strictMode: true,
      reconnect: false,
      ...(options.ca ? { wsOpts: { ca: options.ca } } : {}),
    } as unknown as ClientOptions);
    cp.handle('SetChargingProfile', async ({ params }) => {
      profiles.push(params as Record<string, unknown>);
      return { status: 'Accepted' };
    });
    cp.handle('ClearChargingProfile', async () => ({ status: 'Accepted' }));
    clients.push(cp);
    return cp;
  };

  beforeAll(async () => {
    pki = makeTestPki();
    messages = await SiteMessages.watch(TEST_MQTT_URL, SITE);
    gateway = await startTestGateway({
      site: SITE,
      ocpp: { port: PORT, host: '127.0.0.1', tls: { certFile: pki.serverCert, keyFile: pki.serverKey } },
      devices: [
        {
          id: 'ev-1',
          protocol: 'ocpp',
          chargePointId: 'CP-TLS',
          password: PASSWORD,
          maxW: 11_000,
          phases: 3,
          limitUnit: 'A',
        },
      ],
    });
  }, 20_000);

  afterAll(async () => {
    for (const cp of clients) await cp.close({ force: true }).catch(() => undefined);
    await gateway?.stop();
    await messages?.close(['ev-1']);
  }, 20_000);

  it('refuses a plain ws:// connection, a charger that does not trust the certificate and a wrong password', async () => {
    await expect(client({ endpoint: `ws://127.0.0.1:${PORT}`, password: PASSWORD }).connect()).rejects.toThrow();
    await expect(client({ endpoint: `wss://127.0.0.1:${PORT}`, password: PASSWORD }).connect()).rejects.toThrow(
      /self.signed|certificate/i,
    );
    const ca = readFileSync(pki.caCert);
    await expect(
      client({ endpoint: `wss://127.0.0.1:${PORT}`, password: 'not-the-password-at-all', ca }).connect(),
    ).rejects.toThrow(/Unauthorized/);
  });

  it('takes a charger over wss:// with its password, and limits it in amps per phase', async () => {
    const cp = client({ endpoint: `wss://127.0.0.1:${PORT}`, password: PASSWORD, ca: readFileSync(pki.caCert) });
    await cp.connect();
    await cp.call('BootNotification', { chargePointVendor: 'Test', chargePointModel: 'TLS' });
    await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: 'TAG',
      meterStart: 1000,
      timestamp: new Date().toISOString(),
    });
    await waitFor(
      'the session',
      async () => (messages.latest('ev-1', 'telemetry')?.payload.session as { plugged?: boolean })?.plugged,
      10_000,
    );
    const { ack } = await messages.command('ev-1', { type: 'ev.limit', maxW: 11_000 }, 60_000);
    expect(ack).toMatchObject({ status: 'applied' });
    expect(profiles.at(-1)).toMatchObject({
      csChargingProfiles: {
        chargingProfilePurpose: 'TxProfile',
        chargingSchedule: {
          chargingRateUnit: 'A',
          chargingSchedulePeriod: [{ startPeriod: 0, limit: 15.9, numberPhases: 3 }],
        },
      },
    });
  }, 20_000);
});
