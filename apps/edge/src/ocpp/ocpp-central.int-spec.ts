import { TEST_MQTT_URL, waitFor as waitForWithin } from '@ilot/mqtt/testing/broker';
import { RPCClient } from 'ocpp-rpc';
import WebSocket from 'ws';
import { EdgeGateway } from '../edge-gateway';
import { startTestGateway } from '../testing/test-gateway';
import { SiteMessages } from '../testing/site-messages';

const SITE = `ocpp-${process.pid}`;
const PORT = 17_020 + (process.pid % 500);
const PASSWORD_16 = 'a-16-char-secret-1.6';
const PASSWORD_201 = 'a-16-char-secret-2.0.1';
/** ocpp-rpc's typings ask every option; it defaults them. */
type ClientOptions = ConstructorParameters<typeof RPCClient>[0];
const clientOf = (options: Record<string, unknown>) => new RPCClient(options as unknown as ClientOptions);
const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 10_000) =>
  waitForWithin(what, probe, timeoutMs, 50);

/**
 * Charge points as OCPP clients (ocpp-rpc's own client side, strict schema validation), 1.6J and 2.0.1, against the
 * gateway's central system, on the real broker: only known ids with their password, sessions and meter values out as
 * telemetry, `ev.limit` as SetChargingProfile acked from the charger's answer, a malformed call a CALLERROR.
 */
describe('edge gateway: OCPP chargers', () => {
  let gateway: EdgeGateway;
  let messages: SiteMessages;
  const clients: RPCClient[] = [];
  const profiles: Array<{ identity: string; params: Record<string, any> }> = [];
  const clears: string[] = [];
  let answer16 = 'Accepted';

  async function chargePoint(identity: string, protocol: 'ocpp1.6' | 'ocpp2.0.1', password: string) {
    const client = clientOf({
      endpoint: `ws://127.0.0.1:${PORT}`,
      identity,
      password,
      protocols: [protocol],
      strictMode: true,
      reconnect: false,
    });
    client.handle('SetChargingProfile', async ({ params }) => {
      profiles.push({ identity, params: params ?? {} });
      return { status: identity === 'CP-16' ? answer16 : 'Accepted' };
    });
    client.handle('ClearChargingProfile', async () => {
      clears.push(identity);
      return { status: 'Accepted' };
    });
    await client.connect();
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    messages = await SiteMessages.watch(TEST_MQTT_URL, SITE);
    gateway = await startTestGateway({
      site: SITE,
      ocpp: { port: PORT, host: '127.0.0.1' },
      devices: [
        {
          id: 'ev-1',
          protocol: 'ocpp',
          chargePointId: 'CP-16',
          password: PASSWORD_16,
          maxW: 7400,
          sessionDefaults: { energyNeededWh: 20_000, stayH: 8 },
        },
        { id: 'ev-2', protocol: 'ocpp', chargePointId: 'CP-201', password: PASSWORD_201, maxW: 11_000, phases: 3 },
      ],
    });
  }, 20_000);

  afterAll(async () => {
    for (const client of clients) await client.close({ force: true }).catch(() => undefined);
    await gateway?.stop();
    await messages?.close(['ev-1', 'ev-2']);
  }, 20_000);

  const latest = (device: string, kind: string) => messages.latest(device, kind);
  const command = (device: string, maxW: number, validForMs: number) =>
    messages.command(device, { type: 'ev.limit', maxW }, validForMs);

  it('accepts only the configured charge point ids, each with its own password', async () => {
    for (const [identity, password] of [
      ['CP-UNKNOWN', PASSWORD_16],
      ['CP-16', 'not-its-password-at-all'],
    ] as const) {
      const intruder = clientOf({
        endpoint: `ws://127.0.0.1:${PORT}`,
        identity,
        password,
        protocols: ['ocpp1.6'],
        reconnect: false,
      });
      await expect(intruder.connect()).rejects.toThrow();
    }
    expect(gateway.ocpp!.stats.rejectedConnections).toBe(2);
  });

  it('OCPP 1.6J: a transaction and its meter values are the charger telemetry, with the session from the defaults', async () => {
    const cp = await chargePoint('CP-16', 'ocpp1.6', PASSWORD_16);
    expect(await cp.call('BootNotification', { chargePointVendor: 'Ilot', chargePointModel: 'Test 16' })).toMatchObject(
      { status: 'Accepted' },
    );
    await cp.call('StatusNotification', { connectorId: 1, errorCode: 'NoError', status: 'Preparing' });
    const plugAt = Date.now();
    await cp.call('StartTransaction', {
      connectorId: 1,
      idTag: 'TAG1',
      meterStart: 10_000,
      timestamp: new Date().toISOString(),
    });
    await cp.call('MeterValues', {
      connectorId: 1,
      meterValue: [
        {
          timestamp: new Date().toISOString(),
          sampledValue: [
            { value: '7.2', measurand: 'Power.Active.Import', unit: 'kW' },
            { value: '12500', measurand: 'Energy.Active.Import.Register', unit: 'Wh' },
          ],
        },
      ],
    });
    const reading = await waitFor(
      'a charging reading',
      async () => latest('ev-1', 'telemetry')?.payload.powerW === 7200 && latest('ev-1', 'telemetry'),
    );
    const session = reading.payload.session as Record<string, unknown>;
    expect(reading.payload.energyWh).toBe(12_500);
    // 20 kWh wanted by default, 2.5 kWh had since the start.
    expect(session).toMatchObject({ plugged: true, energyNeededWh: 17_500, maxW: 7400 });
    expect(Math.abs(Date.parse(session.departure as string) - (plugAt + 8 * 3_600_000))).toBeLessThan(5000);
  });

  it('ev.limit becomes a TxProfile in W on the transaction, valid to validUntil, acked from the charger answer', async () => {
    const { ack, ackMs } = await command('ev-1', 3700, 60_000);
    expect(ack).toMatchObject({ status: 'applied' });
    const sent = profiles.filter((p) => p.identity === 'CP-16').at(-1)!.params;
    console.log(`ev.limit 3700 W -> SetChargingProfile ${JSON.stringify(sent)}; acked ${ackMs} ms after the command`);
    expect(sent).toMatchObject({
      connectorId: 1,
      csChargingProfiles: {
        chargingProfilePurpose: 'TxProfile',
        chargingSchedule: { chargingRateUnit: 'W', chargingSchedulePeriod: [{ startPeriod: 0, limit: 3700 }] },
      },
    });
    answer16 = 'Rejected';
    try {
      expect((await command('ev-1', 2000, 60_000)).ack).toMatchObject({
        status: 'rejected',
        reason: 'SetChargingProfile: Rejected',
      });
    } finally {
      answer16 = 'Accepted';
    }
  });

  it('clears the profile when the limit runs out', async () => {
    const before = clears.length;
    expect((await command('ev-1', 1500, 1500)).ack).toMatchObject({ status: 'applied' });
    await waitFor('a ClearChargingProfile', async () => clears.length > before, 5000);
  });

  it('answers a malformed call with a CALLERROR and keeps the connection', async () => {
    const cp = clients[0];
    await expect(cp.call('MeterValues', { connectorId: 'one', meterValue: 'lots' })).rejects.toThrow();
    expect(await cp.call('Heartbeat', {})).toMatchObject({ currentTime: expect.any(String) });
  });

  it('OCPP 2.0.1: NotifyEVChargingNeeds sets the energy and departure the car asks, a session ends unplugged', async () => {
    const cp = await chargePoint('CP-201', 'ocpp2.0.1', PASSWORD_201);
    await cp.call('BootNotification', {
      reason: 'PowerUp',
      chargingStation: { model: 'Test 201', vendorName: 'Ilot' },
    });
    const ts = () => new Date().toISOString();
    await cp.call('TransactionEvent', {
      eventType: 'Started',
      timestamp: ts(),
      triggerReason: 'CablePluggedIn',
      seqNo: 0,
      transactionInfo: { transactionId: 'TX-201' },
      evse: { id: 1, connectorId: 1 },
      meterValue: [{ timestamp: ts(), sampledValue: [{ value: 50_000, measurand: 'Energy.Active.Import.Register' }] }],
    });
    const departure = new Date(Date.now() + 5 * 3_600_000).toISOString();
    await cp.call('NotifyEVChargingNeeds', {
      evseId: 1,
      chargingNeeds: {
        requestedEnergyTransfer: 'AC_three_phase',
        departureTime: departure,
        acChargingParameters: { energyAmount: 30_000, evMinCurrent: 6, evMaxCurrent: 16, evMaxVoltage: 230 },
      },
    });
    const reading = await waitFor(
      'the car needs',
      async () =>
        (latest('ev-2', 'telemetry')?.payload.session as { energyNeededWh?: number })?.energyNeededWh === 30_000 &&
        latest('ev-2', 'telemetry'),
    );
    expect(reading.payload.session).toMatchObject({ plugged: true, departure, maxW: 16 * 230 * 3 });
    expect((await command('ev-2', 6000, 60_000)).ack).toMatchObject({ status: 'applied' });
    expect(profiles.filter((p) => p.identity === 'CP-201').at(-1)!.params).toMatchObject({
      evseId: 1,
      chargingProfile: { transactionId: 'TX-201', chargingSchedule: [{ chargingRateUnit: 'W' }] },
    });
    await cp.call('TransactionEvent', {
      eventType: 'Ended',
      timestamp: ts(),
      triggerReason: 'EVCommunicationLost',
      seqNo: 1,
      transactionInfo: { transactionId: 'TX-201', stoppedReason: 'EVDisconnected' },
    });
    await waitFor(
      'unplugged',
      async () => (latest('ev-2', 'telemetry')?.payload.session as { plugged?: boolean })?.plugged === false,
    );
  });

  it('a charger sending garbage gets CALLERRORs and keeps its connection; the others are not affected', async () => {
    // CP-16's password on a raw WebSocket: frames no OCPP client would send.
    const raw = new WebSocket(`ws://127.0.0.1:${PORT}/CP-16`, ['ocpp1.6'], {
      headers: { authorization: `Basic ${Buffer.from(`CP-16:${PASSWORD_16}`).toString('base64')}` },
    });
    const answers: string[] = [];
    raw.on('message', (data) => answers.push(data.toString()));
    await new Promise((resolve, reject) => raw.once('open', resolve).once('error', reject));
    const badBefore = gateway.ocpp!.stats.badCalls;
    raw.send('this is not json');
    raw.send(JSON.stringify([2, 'g-1', 'NoSuchAction', {}]));
    raw.send(JSON.stringify([2, 'g-2', 'Heartbeat', { unexpected: true }]));
    await waitFor('three answers or refusals', async () => answers.length >= 2);
    // Each call with an id is answered with a CALLERROR (type 4) naming it; the connection stays open.
    const errors = answers.map((a) => JSON.parse(a) as unknown[]).filter((m) => m[0] === 4);
    expect(errors.map((m) => m[1])).toEqual(expect.arrayContaining(['g-1', 'g-2']));
    expect(raw.readyState).toBe(WebSocket.OPEN);
    expect(gateway.ocpp!.stats.badCalls).toBeGreaterThan(badBefore);
    // The 2.0.1 charger (connected by the test before) is still served.
    expect(clients).toHaveLength(2);
    expect(await clients[1].call('Heartbeat', {})).toMatchObject({ currentTime: expect.any(String) });
    raw.close();
  });
});
