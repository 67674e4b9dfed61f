import { SystemClock } from '@ilot/domain';
import { TEST_MQTT_URL, waitFor as waitForWithin } from '@ilot/mqtt/testing/broker';
import { topics } from '@ilot/protocol';
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { edgeConfigSchema } from './edge.config';
import { EdgeGateway } from './edge-gateway';
import { SiteMessages } from './testing/site-messages';
import { SimulatedSunSpecDevice } from '@ilot/simulators';

/** Ports of our own for the simulated devices (not the ones the other suites take). */
const BATTERY_PORT = 15_020 + (process.pid % 500);
const PV_PORT = BATTERY_PORT + 1;
const SITE = `edge-${process.pid}`;
const POLL_S = 0.3;
const waitFor = <T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 10_000) =>
  waitForWithin(what, probe, timeoutMs, 50);

/**
 * The gateway against SunSpec devices served by modbus-serial's own Modbus TCP server (register maps built from the
 * SunSpec model definitions), on the real broker: telemetry out, commands in, registers written and read back, acks,
 * the device's revert timer, a Modbus exception, a device unplugged.
 */
describe('edge gateway: SunSpec Modbus TCP devices on the real broker', () => {
  jest.setTimeout(20_000);
  let battery: SimulatedSunSpecDevice;
  let pv: SimulatedSunSpecDevice;
  let gateway: EdgeGateway;
  let observer: MqttClient;
  let messages: SiteMessages;
  const logs: string[] = [];

  beforeAll(async () => {
    battery = new SimulatedSunSpecDevice({
      kind: 'hybrid-battery',
      port: BATTERY_PORT,
      ratingW: 5000,
      capacityWh: 10_000,
      initialSocPct: 60,
    });
    pv = new SimulatedSunSpecDevice({
      kind: 'pv-inverter',
      port: PV_PORT,
      ratingW: 8000,
      base: 50000,
      availablePvW: () => 6000,
    });
    await battery.start();
    await pv.start();
    messages = await SiteMessages.watch(TEST_MQTT_URL, SITE);
    observer = messages.client;
    const config = edgeConfigSchema.parse({
      site: SITE,
      mqtt: { url: TEST_MQTT_URL },
      devices: [
        { id: 'bat-1', protocol: 'sunspec', host: '127.0.0.1', port: BATTERY_PORT, pollS: POLL_S, timeoutMs: 300 },
        { id: 'pv-1', protocol: 'sunspec', host: '127.0.0.1', port: PV_PORT, pollS: POLL_S, timeoutMs: 300 },
      ],
    });
    gateway = new EdgeGateway(config, new SystemClock(), (line) => logs.push(line));
    await gateway.start();
  }, 30_000);

  afterAll(async () => {
    await gateway?.stop();
    await battery?.stop();
    await pv?.stop();
    await messages?.close(['bat-1', 'pv-1']);
  }, 20_000);

  const latest = (device: string, kind: 'telemetry' | 'status' | 'command/ack') => messages.latest(device, kind);
  const command = (device: string, body: Record<string, unknown>, validForMs: number) =>
    messages.command(device, body, validForMs);

  it('finds each map (at 40000, at 50000) and sends its AC power, energy and state of charge as telemetry', async () => {
    const reading = await waitFor('a battery reading', async () => latest('bat-1', 'telemetry'));
    expect(reading.payload).toMatchObject({ powerW: 0, socPct: 60, seq: expect.any(Number), ts: expect.any(String) });
    const pvReading = await waitFor(
      'a PV reading at its power',
      async () => latest('pv-1', 'telemetry')?.payload.powerW === 6000 && latest('pv-1', 'telemetry'),
    );
    expect(pvReading.payload.socPct).toBeUndefined();
    expect(latest('bat-1', 'status')?.payload.state).toBe('online');
    expect(logs).toContainEqual(expect.stringMatching(/pv-1: SunSpec map at 50000, models 1, 103, 120, 123/));
  });

  it('applies battery.setpoint as model 124 registers, acks applied after the read-back, and the power follows', async () => {
    const { ack, ackMs } = await command('bat-1', { type: 'battery.setpoint', setpointW: -2000 }, 60_000);
    expect(ack).toMatchObject({ status: 'applied' });
    console.log(
      `battery.setpoint -2000 W: ack applied ${ackMs} ms after the command was published; writes ${JSON.stringify(battery.writes.slice(-4))}`,
    );
    expect(battery.value(124, 'InWRte')).toBe(40);
    expect(battery.value(124, 'OutWRte')).toBe(-40);
    expect(battery.value(124, 'StorCtl_Mod')).toBe(3);
    expect(battery.value(124, 'InOutWRte_RvrtTms')).toBeGreaterThanOrEqual(58);
    await waitFor('a reading at the setpoint', async () => latest('bat-1', 'telemetry')?.payload.powerW === -2000);
  });

  it('the same cmdId again is answered again, not written again', async () => {
    const writes = battery.writes.length;
    const now = Date.now();
    const body = {
      cmdId: randomUUID(),
      type: 'battery.setpoint',
      setpointW: 1000,
      issuedAt: new Date(now).toISOString(),
      reason: 'edge test',
      validFrom: new Date(now - 1000).toISOString(),
      validUntil: new Date(now + 60_000).toISOString(),
    };
    for (let i = 0; i < 2; i++)
      await observer.publishAsync(topics.command(SITE, 'bat-1'), JSON.stringify(body), { qos: 1 });
    const acks = () =>
      messages.seen.filter((s) => s.topic === topics.commandAck(SITE, 'bat-1') && s.payload.cmdId === body.cmdId);
    await waitFor('two acks', async () => acks().length === 2);
    expect(acks().map((s) => s.payload.status)).toEqual(['applied', 'applied']);
    expect(battery.writes.length - writes).toBe(4);
  });

  it('the device goes back to its own mode by its own revert timer at validUntil, the gateway gone or not', async () => {
    const { ack } = await command('bat-1', { type: 'battery.setpoint', setpointW: 3000 }, 2500);
    expect(ack).toMatchObject({ status: 'applied' });
    await waitFor('discharging at 3 kW', async () => latest('bat-1', 'telemetry')?.payload.powerW === 3000);
    await waitFor('the revert', async () => battery.revertedAt !== undefined, 6000);
    expect(battery.value(124, 'StorCtl_Mod')).toBe(0);
    await waitFor('a reading in its own mode', async () => latest('bat-1', 'telemetry')?.payload.powerW === 0);
  });

  it('curtails the PV inverter with model 123 (WMaxLimPct of WRtg) and the power follows', async () => {
    const { ack } = await command('pv-1', { type: 'pv.curtail', maxW: 2000 }, 60_000);
    expect(ack).toMatchObject({ status: 'applied' });
    expect(pv.value(123, 'WMaxLimPct')).toBe(25);
    expect(pv.value(123, 'WMaxLim_Ena')).toBe(1);
    await waitFor('a PV reading at 2 kW', async () => latest('pv-1', 'telemetry')?.payload.powerW === 2000);
  });

  it.each([
    [
      'a Modbus exception',
      () => (battery.failWrites = 4),
      { type: 'battery.setpoint', setpointW: 1000 },
      'Modbus exception 4 (server device failure)',
    ],
    [
      'a setpoint beyond WChaMax',
      () => undefined,
      { type: 'battery.setpoint', setpointW: -9000 },
      "setpoint -9000 W beyond the device's WChaMax 5000 W",
    ],
    [
      'a command the device does not take',
      () => undefined,
      { type: 'load.limit', maxW: 1000 },
      'a SunSpec device does not take load.limit',
    ],
  ])('%s is a rejected ack naming it', async (_name, arrange, body, reason) => {
    arrange();
    try {
      const { ack } = await command('bat-1', body, 60_000);
      expect(ack).toMatchObject({ status: 'rejected', reason });
    } finally {
      battery.failWrites = undefined;
    }
  });

  it('refuses an expired command without touching the device', async () => {
    const writes = battery.writes.length;
    const { ack } = await command('bat-1', { type: 'battery.setpoint', setpointW: 1000 }, -500);
    expect(ack).toMatchObject({ status: 'rejected', reason: expect.stringMatching(/^expired at /) });
    expect(battery.writes.length).toBe(writes);
  });

  it('the gateway gone (stopped mid-command), the battery still returns to its own mode by its own timer', async () => {
    const { ack } = await command('bat-1', { type: 'battery.setpoint', setpointW: -1500 }, 3000);
    expect(ack).toMatchObject({ status: 'applied' });
    await gateway.stop();
    const stoppedAt = Date.now();
    expect(battery.value(124, 'StorCtl_Mod')).toBe(3);
    await waitFor('the revert without the gateway', async () => battery.revertedAt !== undefined, 6000);
    expect(battery.revertedAt!.getTime() - stoppedAt).toBeLessThan(4000);
    expect(battery.value(124, 'StorCtl_Mod')).toBe(0);
    // Back for the next test.
    await gateway.start();
  });

  it('reports a device unplugged offline within three poll periods, and online again when it answers', async () => {
    await pv.stop();
    const stoppedAt = Date.now();
    const offline = await waitFor('pv-1 offline', async () => {
      const s = latest('pv-1', 'status');
      return s?.payload.state === 'offline' && s.at > stoppedAt && s;
    });
    console.log(`pv-1 unplugged: offline after ${offline.at - stoppedAt} ms (poll ${POLL_S * 1000} ms)`);
    expect(offline.at - stoppedAt).toBeLessThanOrEqual(3 * POLL_S * 1000 + 1000);
    await pv.start();
    await waitFor('pv-1 online again', async () => latest('pv-1', 'status')?.payload.state === 'online', 10_000);
  });
});
