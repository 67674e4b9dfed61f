import { clockFromConfig, loadConfig, loadRuntimeConfig } from '@ilot/runtime';
import { loadSiteFile } from '@ilot/site';
import { IlotWorld } from './ilot-world';
import { ProfileTable } from './profile-table';
import { SimulatorRunner } from './simulator-runner';
import { simulatorsEnvSchema, telemetryPeriodSimMs } from './simulators.config';

/** `npm run start:simulators`: the demo îlot's devices, against ILOT_MQTT_URL. */
async function main(): Promise<void> {
  const runtime = loadRuntimeConfig(process.env, { database: false });
  const config = loadConfig(simulatorsEnvSchema);
  const site = loadSiteFile(runtime.ILOT_SITE_FILE);
  const clock = clockFromConfig(runtime);
  const world = new IlotWorld(site, ProfileTable.load(), config.ILOT_SIM_INITIAL_SOC_PCT);
  const runner = new SimulatorRunner(world, clock, {
    mqttUrl: runtime.ILOT_MQTT_URL,
    protocolVersion: runtime.ILOT_MQTT_PROTOCOL_VERSION,
    periodSimMs: telemetryPeriodSimMs(config, clock.speedup),
    log: (line) => console.warn(`simulators: ${line}`),
  });
  await runner.start();
  console.log(`simulators: ${site.devices.size} devices of site "${site.id}" publishing on ${runtime.ILOT_MQTT_URL}`);
  const stop = () => void runner.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: Error) => {
  console.error(`simulators: ${error.message}`);
  process.exit(1);
});
