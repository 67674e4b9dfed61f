import { TEST_MQTT_URL, waitFor } from '@ilot/mqtt/testing/broker';
import { ticGroup } from '@ilot/tic';
import { createServer, type Server, type Socket } from 'node:net';
import { EdgeGateway } from '../edge-gateway';
import { startTestGateway } from '../testing/test-gateway';
import { SiteMessages } from '../testing/site-messages';
import { SimulatedSunSpecDevice } from '@ilot/simulators';

const SITE = `track-${process.pid}`;
const BRIDGE_PORT = 17_900 + (process.pid % 300);
const BATTERY_PORT = 18_300 + (process.pid % 300);

/** A standard-mode Linky frame (Enedis-NOI-CPT_54E §6.2): drawn and injected apparent power. */
function frame(drawnVA: number, injectedVA: number): string {
  const groups = [
    ticGroup('standard', 'ADSC', '041876097467'),
    ticGroup('standard', 'EAST', '008745321'),
    ticGroup('standard', 'SINSTS', String(Math.round(drawnVA)).padStart(5, '0')),
    ticGroup('standard', 'SINSTI', String(Math.round(injectedVA)).padStart(5, '0')),
  ];
  return `\x02${groups.join('')}\x03`;
}

/**
 * A battery that tracks the connection through the building's Linky on the same gateway (issue 28,
 * docs/controller-guide.md): the building draws `houseW`, the meter reads the house less the battery (frames through a
 * TCP serial bridge every 200 ms), the battery is a SunSpec device (model 124); real broker.
 */
describe('edge gateway: a battery tracking the grid power and the contract with the building meter', () => {
  let bridge: Server;
  const sockets = new Set<Socket>();
  let streaming: NodeJS.Timeout;
  let battery: SimulatedSunSpecDevice;
  let gateway: EdgeGateway;
  let messages: SiteMessages;
  let houseW = 3000;

  beforeAll(async () => {
    battery = new SimulatedSunSpecDevice({
      kind: 'hybrid-battery',
      port: BATTERY_PORT,
      ratingW: 5000,
      capacityWh: 10_000,
      initialSocPct: 60,
    });
    await battery.start();
    bridge = createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve) => bridge.listen(BRIDGE_PORT, '127.0.0.1', resolve));
    streaming = setInterval(() => {
      const gridW = houseW - battery.powerW;
      const text = frame(Math.max(gridW, 0), Math.max(-gridW, 0));
      for (const socket of sockets) socket.write(Buffer.from(text, 'latin1'));
    }, 200);
    messages = await SiteMessages.watch(TEST_MQTT_URL, SITE);
    gateway = await startTestGateway({
      site: SITE,
      devices: [
        { id: 'grid', protocol: 'tic', host: '127.0.0.1', port: BRIDGE_PORT, mode: 'standard', minIntervalS: 1 },
        { id: 'bat-1', protocol: 'sunspec', host: '127.0.0.1', port: BATTERY_PORT, pollS: 0.25, gridMeter: 'grid' },
      ],
    });
    await waitFor('the battery online', async () => messages.latest('bat-1', 'telemetry'), 10_000);
  }, 20_000);

  afterAll(async () => {
    clearInterval(streaming);
    await gateway?.stop();
    await battery?.stop();
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => bridge?.close(resolve));
    await messages?.close(['grid', 'bat-1']);
  }, 20_000);

  const command = async (fields: Record<string, number>) =>
    (await messages.command('bat-1', { type: 'battery.setpoint', ...fields }, 60_000)).ack;
  const near = (w: number) => async () => Math.abs(battery.powerW - w) <= 60;

  it('holds the planned grid power: the battery takes the deviation, and follows the house', async () => {
    // Planned: battery idle and 1 kW from the grid; the house draws 3 kW: the battery gives the 2 kW the plan missed.
    expect(await command({ setpointW: 0, gridTargetW: 1000, deviationShare: 1, gridLimitW: 4500 })).toMatchObject({
      status: 'applied',
    });
    await waitFor('the battery at 2 kW', near(2000), 8000);
    houseW = 1500;
    await waitFor('the battery at 500 W', near(500), 8000);
    expect(gateway.drivers.get('bat-1')!.stats).toMatchObject({ trackingWrites: expect.any(Number) });
  }, 30_000);

  it('holds the contract: above gridLimitW the battery discharges what is above it', async () => {
    // Planned: charge at 2 kW with no grid target; a house of 5.5 kW then imports 7.5 kW against a 4.5 kW contract:
    // the battery charges 3 kW less (-2000 + 3000 = 1000 W discharging).
    expect(await command({ setpointW: -2000, deviationShare: 1, gridLimitW: 4500 })).toMatchObject({
      status: 'applied',
    });
    houseW = 1000;
    await waitFor('charging at 2 kW', near(-2000), 8000);
    houseW = 5500;
    await waitFor('the contract held: 1 kW discharging', near(1000), 8000);
  }, 30_000);

  it('holds its setpoint when the meter falls silent (regression: a kept last reading drove it from 2 kW to -5 kW)', async () => {
    expect(await command({ setpointW: 0, gridTargetW: 1000, deviationShare: 1 })).toMatchObject({
      status: 'applied',
    });
    houseW = 3000;
    await waitFor('tracking: 2 kW', near(2000), 8000);
    clearInterval(streaming);
    houseW = 5000;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(Math.abs(battery.powerW - 2000)).toBeLessThanOrEqual(60);
  }, 30_000);
});
