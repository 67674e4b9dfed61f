import { TEST_MQTT_URL, waitFor } from '@ilot/mqtt/testing/broker';
import { RPCClient } from 'ocpp-rpc';
import type { EdgeGateway } from '../edge-gateway';
import { startTestGateway } from '../testing/test-gateway';
import { SiteMessages } from '../testing/site-messages';

const SITE = `ocpp-resume-${process.pid}`;
const PORT = 17_300 + (process.pid % 300);
const PASSWORD = 'a-16-char-secret-resume';
type ClientOptions = ConstructorParameters<typeof RPCClient>[0];

const startGateway = () =>
  startTestGateway({
    site: SITE,
    ocpp: { port: PORT, host: '127.0.0.1' },
    devices: [
      { id: 'ev-16', protocol: 'ocpp', chargePointId: 'CP-R16', password: PASSWORD, maxW: 7400 },
      { id: 'ev-201', protocol: 'ocpp', chargePointId: 'CP-R201', password: PASSWORD, maxW: 11_000, phases: 3 },
    ],
  });

/**
 * The gateway restarted while cars charge (issue 28: "sessions resumed"): the chargers reconnect (ocpp-rpc's client
 * reconnects by itself) and go on with their transactions, which the new gateway never saw begin; it takes each up from
 * the charger's next meter values (1.6) or TransactionEvent Updated (2.0.1), and the plan can limit it again.
 */
describe('edge gateway: OCPP transactions resumed after a gateway restart', () => {
  let gateway: EdgeGateway;
  let messages: SiteMessages;
  const clients: RPCClient[] = [];
  const profiles: Array<{ identity: string; params: Record<string, unknown> }> = [];

  const chargePoint = async (identity: string, protocol: 'ocpp1.6' | 'ocpp2.0.1') => {
    const cp = new RPCClient({
      endpoint: `ws://127.0.0.1:${PORT}`,
      identity,
      password: PASSWORD,
      protocols: [protocol],
      strictMode: true,
      reconnect: true,
      backoff: { initialDelay: 100, maxDelay: 500 },
    } as unknown as ClientOptions);
    cp.handle('SetChargingProfile', async ({ params }) => {
      profiles.push({ identity, params: params as Record<string, unknown> });
      return { status: 'Accepted' };
    });
    cp.handle('ClearChargingProfile', async () => ({ status: 'Accepted' }));
    await cp.connect();
    clients.push(cp);
    return cp;
  };

  const limit = async (device: string, maxW: number) =>
    (await messages.command(device, { type: 'ev.limit', maxW }, 60_000)).ack;

  beforeAll(async () => {
    messages = await SiteMessages.watch(TEST_MQTT_URL, SITE);
    gateway = await startGateway();
  }, 20_000);

  afterAll(async () => {
    for (const cp of clients) await cp.close({ force: true }).catch(() => undefined);
    await gateway?.stop();
    await messages?.close(['ev-16', 'ev-201']);
  }, 20_000);

  it('takes up the transactions the chargers go on with, and limits them', async () => {
    const cp16 = await chargePoint('CP-R16', 'ocpp1.6');
    const cp201 = await chargePoint('CP-R201', 'ocpp2.0.1');
    const ts = () => new Date().toISOString();
    const { transactionId } = (await cp16.call('StartTransaction', {
      connectorId: 1,
      idTag: 'TAG',
      meterStart: 1000,
      timestamp: ts(),
    })) as { transactionId: number };
    await cp201.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: ts(),
      triggerReason: 'CablePluggedIn',
      seqNo: 0,
      transactionInfo: { transactionId: 'TX-R201' },
      evse: { id: 1, connectorId: 1 },
    });
    expect(await limit('ev-16', 3000)).toMatchObject({ status: 'applied' });

    // The gateway restarted: a new process knows no transaction.
    await gateway.stop();
    gateway = await startGateway();
    // Each charger back on the new gateway: a call answered by it (calls wait while the client reconnects).
    for (const cp of [cp16, cp201])
      await waitFor(
        'the charger back',
        async () =>
          cp.call('Heartbeat', {}).then(
            () => true,
            () => false,
          ),
        10_000,
      );
    expect(await limit('ev-16', 2000)).toMatchObject({ status: 'rejected', reason: 'no transaction to limit' });

    await cp16.call('MeterValues', {
      connectorId: 1,
      transactionId,
      meterValue: [{ timestamp: ts(), sampledValue: [{ value: '2500', measurand: 'Energy.Active.Import.Register' }] }],
    });
    await cp201.call('TransactionEvent', {
      eventType: 'Updated',
      timestamp: ts(),
      triggerReason: 'MeterValuePeriodic',
      seqNo: 1,
      transactionInfo: { transactionId: 'TX-R201' },
      meterValue: [{ timestamp: ts(), sampledValue: [{ value: 2500, measurand: 'Energy.Active.Import.Register' }] }],
    });
    expect(await limit('ev-16', 2000)).toMatchObject({ status: 'applied' });
    expect(await limit('ev-201', 6000)).toMatchObject({ status: 'applied' });
    expect(profiles.filter((p) => p.identity === 'CP-R16').at(-1)!.params).toMatchObject({
      csChargingProfiles: { transactionId },
    });
    expect(profiles.filter((p) => p.identity === 'CP-R201').at(-1)!.params).toMatchObject({
      chargingProfile: { transactionId: 'TX-R201' },
    });
  }, 40_000);
});
