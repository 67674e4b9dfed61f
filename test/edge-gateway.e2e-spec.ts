import { createTestDatabase, type TestDatabase } from '@ilot/timeseries/testing/test-database';
import { Client } from 'pg';
import { edgeConfigSchema } from '../apps/edge/src/edge.config';
import { EdgeGateway } from '../apps/edge/src/edge-gateway';
import { SimulatedSunSpecDevice } from '@ilot/simulators';
import type { RunningIlot } from '../apps/ilot/src/ilot.app';
import { clearRetained, TEST_MQTT_URL, testPort, uniqueDemoSite, waitFor } from './support/services';
import { startTestIlot } from './support/test-ilot';

const SPEEDUP = 60;
/** A sunny June morning: the planner has work for the battery. */
const SIM_START = '2026-06-17T09:00:00Z';

/**
 * The whole loop through the building gateway (issue 28): the demo îlot with its battery a SunSpec device (modbus-serial's
 * server, models 1, 103, 120, 124, 802) behind apps/edge, every other device simulated; real Mosquitto and PostgreSQL.
 * device registers -> gateway -> telemetry -> ingestion -> planner -> battery.setpoint -> gateway -> model 124 written
 * and read back -> ack applied -> the device's power, in the next telemetry, at the setpoint.
 */
describe('the îlot with its battery behind the building gateway, end to end', () => {
  let database: TestDatabase;
  let ilot: RunningIlot;
  let device: SimulatedSunSpecDevice;
  let gateway: EdgeGateway;
  let db: Client;
  const { path: siteFile, siteId } = uniqueDemoSite('edge');

  beforeAll(async () => {
    database = await createTestDatabase('ilot_edge');
    device = new SimulatedSunSpecDevice({
      kind: 'hybrid-battery',
      port: testPort(),
      ratingW: 100_000,
      capacityWh: 200_000,
      initialSocPct: 50,
    });
    await device.start();
    ilot = await startTestIlot(
      database.url,
      siteFile,
      { speedup: SPEEDUP, simStart: SIM_START },
      {
        ILOT_SIM_SKIP_DEVICES: 'bat-1',
        ILOT_PLAN_SLOT_MINUTES: '5',
      },
    );
    gateway = new EdgeGateway(
      edgeConfigSchema.parse({
        site: siteId,
        mqtt: { url: TEST_MQTT_URL },
        devices: [
          { id: 'bat-1', protocol: 'sunspec', host: '127.0.0.1', port: device.port, pollS: 0.2, timeoutMs: 500 },
        ],
      }),
      ilot.clock,
      () => undefined,
    );
    await gateway.start();
    db = new Client({ connectionString: database.url });
    await db.connect();
  }, 120_000);

  afterAll(async () => {
    await gateway?.stop();
    await ilot?.stop();
    await device?.stop();
    await db?.end();
    await clearRetained(TEST_MQTT_URL, siteId);
    await database?.drop();
  }, 30_000);

  it('plans on the gateway readings, commands the battery through its registers, and the device follows', async () => {
    const stored = await waitFor(
      'a reading of the SunSpec battery stored',
      async () =>
        (
          await db.query<{ soc_pct: number }>(
            `SELECT soc_pct FROM readings WHERE site_id = $1 AND device_id = 'bat-1' ORDER BY ts DESC LIMIT 1`,
            [siteId],
          )
        ).rows[0],
      30_000,
    );
    expect(stored.soc_pct).toBeCloseTo(50, 0);
    const applied = await waitFor(
      'a battery command applied through the gateway',
      async () =>
        (
          await db.query<{ cmd_id: string; setpoint_w: number; issued_at: Date; acked_at: Date }>(
            `SELECT cmd_id, setpoint_w, issued_at, acked_at FROM commands
              WHERE site_id = $1 AND device_id = 'bat-1' AND ack_status = 'applied'
              ORDER BY issued_at DESC LIMIT 1`,
            [siteId],
          )
        ).rows[0],
      60_000,
    );
    // The registers hold the plan: a window closed on the setpoint, under the device's own revert timer.
    expect(device.value(124, 'StorCtl_Mod')).toBe(3);
    const expectedPct = (Math.abs(applied.setpoint_w) / 100_000) * 100;
    const window = [device.value(124, 'InWRte'), device.value(124, 'OutWRte')].map((v) => Math.abs(v as number));
    console.log(
      `planner -> gateway: setpoint ${applied.setpoint_w.toFixed(0)} W -> InWRte ${device.value(124, 'InWRte')} %, OutWRte ${device.value(124, 'OutWRte')} %; ` +
        `acked ${((applied.acked_at.getTime() - applied.issued_at.getTime()) / SPEEDUP).toFixed(0)} ms (real) after it was issued`,
    );
    for (const pct of window) expect(pct).toBeCloseTo(expectedPct, 0);
    // The next readings from the gateway: the device at the setpoint (the verifier's tolerance, 5 kW).
    await waitFor(
      'a battery reading at the setpoint',
      async () => {
        const { rows } = await db.query<{ power_w: number }>(
          `SELECT power_w FROM readings WHERE site_id = $1 AND device_id = 'bat-1' AND ts > $2 ORDER BY ts DESC LIMIT 1`,
          [siteId, applied.acked_at],
        );
        return rows[0] && Math.abs(rows[0].power_w - applied.setpoint_w) <= 5000;
      },
      30_000,
    );
    // The planner's own check: the battery's reading from the gateway, the grid's from its simulated meter (never at
    // the same instant: the grid's last before it stands for it).
    const verdict = await waitFor(
      'the verification of a battery command',
      async () =>
        (
          await db.query<{ event: string; detail: { measuredW: number; expectedW: number; toleranceW: number } }>(
            `SELECT event, detail FROM command_audit
              WHERE site_id = $1 AND device_id = 'bat-1' AND event IN ('followed', 'not_followed')
              ORDER BY at DESC LIMIT 1`,
            [siteId],
          )
        ).rows[0],
      60_000,
    );
    console.log(`verification: ${verdict.event} ${JSON.stringify(verdict.detail)}`);
    expect(verdict.event).toBe('followed');
  }, 180_000);
});
