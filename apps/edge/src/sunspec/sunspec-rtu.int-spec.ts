import { TEST_MQTT_URL, waitFor } from '@ilot/mqtt/testing/broker';
import type { EdgeGateway } from '../edge-gateway';
import { SimulatedSunSpecDevice } from '@ilot/simulators';
import { openSerialLine, type SerialLine, startTestGateway } from '../testing/test-gateway';
import { SiteMessages } from '../testing/site-messages';

const SITE = `rtu-${process.pid}`;

/**
 * A hybrid battery inverter on Modbus RTU (issue 28): a serial line made of a socat pseudo-terminal pair, modbus-serial's
 * RTU server on the device's end (9600 baud 8N1, unit 1), the gateway on the other; the real broker.
 */
describe('edge gateway: a SunSpec battery on Modbus RTU (a serial port)', () => {
  let line: SerialLine;
  let battery: SimulatedSunSpecDevice;
  let gateway: EdgeGateway;
  let messages: SiteMessages;

  beforeAll(async () => {
    line = await openSerialLine();
    battery = new SimulatedSunSpecDevice({
      kind: 'hybrid-battery',
      port: 0,
      serialPath: line.deviceEnd,
      ratingW: 5000,
      capacityWh: 10_000,
      initialSocPct: 60,
    });
    await battery.start();
    messages = await SiteMessages.watch(TEST_MQTT_URL, SITE);
    gateway = await startTestGateway({
      site: SITE,
      devices: [
        { id: 'bat-1', protocol: 'sunspec', serialPath: line.gatewayEnd, baudRate: 9600, unitId: 1, pollS: 0.5 },
      ],
    });
  }, 20_000);

  afterAll(async () => {
    await gateway?.stop();
    await battery?.stop();
    line?.close();
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
