import { TEST_MQTT_URL, waitFor } from '@ilot/mqtt/testing/broker';
import { SimulatedSunSpecDevice } from '@ilot/simulators';
import { EdgeGateway } from '../edge-gateway';
import { startTestGateway } from '../testing/test-gateway';
import { SiteMessages } from '../testing/site-messages';

const SITE = `s704-${process.pid}`;
const PORT = 18_700 + (process.pid % 300);

/**
 * A storage device without model 124, controlled through the DER model 704 (issue 28: "model 704 where the device has
 * it"): models 1, 103, 120, 702 (its charge and discharge ratings), 704 and 802, served by modbus-serial's server; the
 * gateway sets WSet in watts with its reversion timer; the real broker.
 */
describe('edge gateway: a battery controlled through SunSpec model 704', () => {
  let battery: SimulatedSunSpecDevice;
  let gateway: EdgeGateway;
  let messages: SiteMessages;
  const logs: string[] = [];

  beforeAll(async () => {
    battery = new SimulatedSunSpecDevice({
      kind: 'hybrid-battery',
      storageControl: 704,
      port: PORT,
      ratingW: 5000,
      capacityWh: 10_000,
      initialSocPct: 60,
    });
    await battery.start();
    messages = await SiteMessages.watch(TEST_MQTT_URL, SITE);
    gateway = await startTestGateway(
      {
        site: SITE,
        devices: [{ id: 'bat-1', protocol: 'sunspec', host: '127.0.0.1', port: PORT, pollS: 0.25 }],
      },
      { log: (line) => logs.push(line) },
    );
    await waitFor('a reading', async () => messages.latest('bat-1', 'telemetry'), 10_000);
  }, 20_000);

  afterAll(async () => {
    await gateway?.stop();
    await battery?.stop();
    await messages?.close(['bat-1']);
  }, 20_000);

  it('sets WSet in watts with its reversion timer, acks after the read-back, and the power follows', async () => {
    expect(logs).toContainEqual(
      expect.stringMatching(/bat-1: SunSpec map at 40000, models 1, 103, 120, 702, 704, 802/),
    );
    const { ack } = await messages.command('bat-1', { type: 'battery.setpoint', setpointW: -2000 }, 60_000);
    expect(ack).toMatchObject({ status: 'applied' });
    expect([battery.value(704, 'WSetMod'), battery.value(704, 'WSet'), battery.value(704, 'WSetEna')]).toEqual([
      1, -2000, 1,
    ]);
    expect(battery.value(704, 'WSetRvrtTms')).toBeGreaterThanOrEqual(58);
    await waitFor(
      'charging at 2 kW',
      async () => messages.latest('bat-1', 'telemetry')?.payload.powerW === -2000,
      5000,
    );
  }, 20_000);

  it('goes back to its own mode by its own timer at validUntil', async () => {
    const { ack } = await messages.command('bat-1', { type: 'battery.setpoint', setpointW: 1500 }, 2500);
    expect(ack).toMatchObject({ status: 'applied' });
    await waitFor('discharging at 1.5 kW', async () => battery.powerW === 1500, 3000);
    await waitFor('the revert', async () => battery.value(704, 'WSetEna') === 0, 6000);
    await waitFor('its own mode', async () => messages.latest('bat-1', 'telemetry')?.payload.powerW === 0, 3000);
  }, 20_000);

  it("refuses a setpoint beyond 702's rating, naming it", async () => {
    const { ack } = await messages.command('bat-1', { type: 'battery.setpoint', setpointW: -9000 }, 60_000);
    expect(ack).toMatchObject({
      status: 'rejected',
      reason: "setpoint -9000 W beyond the device's WChaRteMaxRtg 5000 W",
    });
  }, 20_000);
});
