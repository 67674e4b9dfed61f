import { ScaledClock } from '@ilot/domain';
import { TEST_MQTT_URL, waitFor } from '@ilot/mqtt/testing/broker';
import { loadSiteFile } from '@ilot/site';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { IlotWorld } from './ilot-world';
import { ProfileTable } from './profile-table';
import { SimulatorRunner } from './simulator-runner';

/**
 * Regression (controllers fault spec, failed a third of CI runs under load): a controller dropped (`disconnect`) while
 * one of its readings waited for its PUBACK left that publish pending for good (mqtt.js keeps a persistent session's
 * in-flight messages for a resend this client never makes), the runner's tick waited on it forever, and every device
 * of the îlot fell silent: the planner left them all out as stale. Real Mosquitto.
 */
describe('SimulatorRunner: a controller dropped with a reading in flight', () => {
  it('keeps every other device reporting', async () => {
    const demo = loadSiteFile(join(__dirname, '..', '..', 'sites', 'demo.yaml'));
    const site = { ...demo, id: `runner-${randomBytes(3).toString('hex')}` };
    const now = Date.now();
    const runner = new SimulatorRunner(new IlotWorld(site, ProfileTable.load()), new ScaledClock(now, now, 60), {
      mqttUrl: TEST_MQTT_URL,
      protocolVersion: 5,
      periodSimMs: 6000,
    });
    await runner.start();
    try {
      // The battery's next reading goes out but its PUBACK is never read, then its connection is dropped.
      const battery = (runner as unknown as { clients: Map<string, { stream: { pause(): void } }> }).clients.get(
        'bat-1',
      )!;
      battery.stream.pause();
      await new Promise((resolve) => setTimeout(resolve, 250));
      runner.disconnect('bat-1');
      const sentAtDrop = runner.stats.telemetrySent;
      await waitFor('readings after the drop', async () => runner.stats.telemetrySent > sentAtDrop + 100, 5000);
    } finally {
      await runner.stop();
    }
  }, 30_000);
});
