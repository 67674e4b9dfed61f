import { SystemClock } from '@ilot/domain';
import { TEST_MQTT_URL, waitFor } from '@ilot/mqtt/testing/broker';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { edgeConfigSchema } from '../edge.config';
import { EdgeGateway } from '../edge-gateway';
import { SimulatedSunSpecDevice } from '@ilot/simulators';
import { SiteMessages } from '../testing/site-messages';

const SITE = `rtu-${process.pid}`;

/**
 * A hybrid battery inverter on Modbus RTU (issue 28): a serial line made of a socat pseudo-terminal pair, modbus-serial's
 * RTU server on the device's end (9600 baud 8N1, unit 1), the gateway on the other; the real broker.
 */
describe('edge gateway: a SunSpec battery on Modbus RTU (a serial port)', () => {
  let socat: ChildProcess;
  let battery: SimulatedSunSpecDevice;
  let gateway: EdgeGateway;
  let messages: SiteMessages;
  const dir = mkdtempSync(join(tmpdir(), 'ilot-rtu-'));
  const [deviceEnd, gatewayEnd] = [join(dir, 'device'), join(dir, 'gateway')];

  beforeAll(async () => {
    socat = spawn('socat', [`pty,raw,echo=0,link=${deviceEnd}`, `pty,raw,echo=0,link=${gatewayEnd}`], {
      stdio: 'ignore',
    });
    await waitFor('the pseudo-terminals', async () => existsSync(deviceEnd) && existsSync(gatewayEnd), 5000, 50);
    battery = new SimulatedSunSpecDevice({
      kind: 'hybrid-battery',
      port: 0,
      serialPath: deviceEnd,
      ratingW: 5000,
      capacityWh: 10_000,
      initialSocPct: 60,
    });
    await battery.start();
    messages = await SiteMessages.watch(TEST_MQTT_URL, SITE);
    gateway = new EdgeGateway(
      edgeConfigSchema.parse({
        site: SITE,
        mqtt: { url: TEST_MQTT_URL },
        devices: [{ id: 'bat-1', protocol: 'sunspec', serialPath: gatewayEnd, baudRate: 9600, unitId: 1, pollS: 0.5 }],
      }),
      new SystemClock(),
      () => undefined,
    );
    await gateway.start();
  }, 20_000);

  afterAll(async () => {
    await gateway?.stop();
    await battery?.stop();
    socat?.kill();
    await messages?.close(['bat-1']);
  }, 20_000);

  it('reads the map over the serial line and applies a setpoint, acked after the read-back', async () => {
    const reading = await waitFor('a reading over RTU', async () => messages.latest('bat-1', 'telemetry'), 15_000);
    expect(reading.payload).toMatchObject({ powerW: 0, socPct: 60 });
    const { ack, ackMs } = await messages.command('bat-1', { type: 'battery.setpoint', setpointW: -2000 }, 60_000);
    expect(ack).toMatchObject({ status: 'applied' });
    console.log(`RTU 9600 baud: setpoint -2000 W acked ${ackMs} ms after it was published`);
    expect(battery.value(124, 'StorCtl_Mod')).toBe(3);
    await waitFor(
      'charging at 2 kW',
      async () => messages.latest('bat-1', 'telemetry')?.payload.powerW === -2000,
      10_000,
    );
  }, 40_000);
});
