import { ScaledClock } from '@ilot/domain';
import { TEST_MQTT_URL } from '@ilot/mqtt/testing/broker';
import { loadSiteFile } from '@ilot/site';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startSimulatorRunners } from './start-runners';

/**
 * Issue 26: a site stored through the API, whose devices were never given broker credentials, stopped every start of
 * the îlot (`no MQTT password for "probe-a/grid"`). Now it is left out, said so, and the others run (real Mosquitto).
 */
describe('startSimulatorRunners: a site without credentials never stops the others', () => {
  it('simulates the provisioned site, and names the other with the reason', async () => {
    const demo = loadSiteFile(join(__dirname, '..', '..', 'sites', 'demo.yaml'));
    const known = { ...demo, id: `known-${randomBytes(3).toString('hex')}` };
    const stored = { ...demo, id: `probe-${randomBytes(3).toString('hex')}` };
    const warnings: string[] = [];
    const now = Date.now();
    const runners = await startSimulatorRunners(
      [stored, known],
      new ScaledClock(now, now, 1),
      {
        mqttUrl: TEST_MQTT_URL,
        protocolVersion: 5,
        periodSimMs: 60_000,
        // The broker accepts anonymous clients here: the credentials are what is checked, as npm start reads them.
        identity: (username) => {
          if (username.startsWith(`${stored.id}/`)) throw new Error(`no MQTT password for "${username}"`);
          return {};
        },
      },
      undefined,
      (line) => warnings.push(line),
    );
    try {
      expect(runners.map((r) => r.world.site.id)).toEqual([known.id]);
      expect(warnings).toEqual([
        expect.stringContaining(
          `the devices of site "${stored.id}" are not simulated: no MQTT password for "${stored.id}/`,
        ),
      ]);
    } finally {
      for (const runner of runners) await runner.stop();
    }
  }, 60_000);
});
