import { TEST_MQTT_URL, waitFor } from '@ilot/mqtt/testing/broker';
import { loadSiteFile } from '@ilot/site';
import { IlotWorld, ProfileTable, SimulatedChargePoint } from '@ilot/simulators';
import { join } from 'node:path';
import { EdgeGateway } from '../edge-gateway';
import { startTestGateway } from '../testing/test-gateway';
import { SiteMessages } from '../testing/site-messages';

const SITE = `ocpp-world-${process.pid}`;
const PORT = 17_700 + (process.pid % 200);
const PASSWORD = 'a-16-char-secret-world';

/**
 * `npm start`'s chargers behind the gateway (issue 28): a charger of the simulated îlot as an OCPP 2.0.1 charging
 * station (SimulatedChargePoint, ocpp-rpc's client) against the gateway on the real broker: the car the world plugs is
 * a transaction whose need and departure NotifyEVChargingNeeds says, and a limit the gateway sets holds in the world.
 */
describe('a simulated charger as an OCPP charging station behind the gateway', () => {
  const site = { ...loadSiteFile(join(__dirname, '..', '..', '..', '..', 'sites', 'demo.yaml')), id: SITE };
  const world = new IlotWorld(site, ProfileTable.load(), 50);
  const charger = world.chargers.get('ev-office-1')!;
  // The first quarter hour of a January week with a car at the office charger.
  let nowMs = Date.parse('2026-01-12T00:00:00Z');
  while (!charger.session(new Date(nowMs)).plugged) nowMs += 900_000;
  const clock = { now: () => new Date(nowMs), speedup: 1 };
  let gateway: EdgeGateway;
  let station: SimulatedChargePoint;
  let messages: SiteMessages;

  beforeAll(async () => {
    messages = await SiteMessages.watch(TEST_MQTT_URL, SITE);
    gateway = await startTestGateway(
      {
        site: SITE,
        ocpp: { port: PORT, host: '127.0.0.1' },
        devices: [
          {
            id: 'ev-office-1',
            protocol: 'ocpp',
            chargePointId: 'ev-office-1',
            password: PASSWORD,
            maxW: 22_000,
            phases: 3,
          },
        ],
      },
      { clock: clock },
    );
    world.step(new Date(nowMs));
    station = new SimulatedChargePoint({
      world,
      deviceId: 'ev-office-1',
      clock,
      endpoint: `ws://127.0.0.1:${PORT}`,
      identity: 'ev-office-1',
      password: PASSWORD,
      periodMs: 200,
    });
    await station.start();
  }, 20_000);

  afterAll(async () => {
    await station?.stop();
    await gateway?.stop();
    await messages?.close(['ev-office-1']);
  }, 20_000);

  it("sends the world's car as the session, and a limit from the plan holds in the world", async () => {
    const truth = charger.session(new Date(nowMs));
    const reading = await waitFor(
      "the car's session",
      async () => {
        const session = messages.latest('ev-office-1', 'telemetry')?.payload.session as
          { plugged?: boolean; energyNeededWh?: number; departure?: string } | undefined;
        // The car's own word (NotifyEVChargingNeeds) comes after the transaction's start, which carries the defaults.
        return session?.departure === truth.departure!.toISOString() && session;
      },
      10_000,
    );
    expect(reading).toMatchObject({
      plugged: true,
      departure: truth.departure!.toISOString(),
      energyNeededWh: expect.closeTo(truth.energyNeededWh!, -2),
    });
    const { ack } = await messages.command('ev-office-1', { type: 'ev.limit', maxW: 4000 }, 3_600_000);
    expect(ack).toMatchObject({ status: 'applied' });
    expect(station.profiles.at(-1)).toMatchObject({ chargingProfile: { chargingProfilePurpose: 'TxProfile' } });
    nowMs += 300_000;
    world.step(new Date(nowMs));
    expect(charger.powerW).toBeLessThanOrEqual(4000);
    expect(charger.powerW).toBeGreaterThan(0);
  }, 30_000);
});
