import { brokerIdentity } from '@ilot/mqtt';
import { brokerIdentitySources, clockFromConfig, loadConfig, loadRuntimeConfig } from '@ilot/runtime';
import { loadSiteFile, loadSitesDir, type Site } from '@ilot/site';
import { startSimulatorRunners } from './start-runners';
import { simulatorsEnvSchema, telemetryPeriodSimMs } from './simulators.config';

/**
 * `npm run start:simulators`: the îlot's devices against ILOT_MQTT_URL: the one site of ILOT_SITE_FILE, or every site
 * of ILOT_SITES_DIR (many îlots; a bad site file is said and left out), each device with its own MQTT session.
 */
async function main(): Promise<void> {
  const runtime = loadRuntimeConfig(process.env, { database: false });
  const config = loadConfig(simulatorsEnvSchema);
  const clock = clockFromConfig(runtime);
  let sites: Site[];
  if (runtime.ILOT_SITES_DIR) {
    const load = loadSitesDir(runtime.ILOT_SITES_DIR);
    for (const refused of load.refused)
      console.warn(`simulators: ${refused.source} left out:\n${refused.problems.map((p) => `  - ${p}`).join('\n')}`);
    sites = load.sites.map((entry) => entry.site);
  } else sites = [loadSiteFile(runtime.ILOT_SITE_FILE)];
  const runners = await startSimulatorRunners(
    sites,
    clock,
    (site) => ({
      mqttUrl: config.ILOT_SIM_MQTT_URL ?? runtime.ILOT_MQTT_URL,
      protocolVersion: runtime.ILOT_MQTT_PROTOCOL_VERSION,
      periodSimMs: telemetryPeriodSimMs(config, clock.speedup),
      log: (line) => console.warn(`simulators ${site.id}: ${line}`),
      identity: (username) => brokerIdentity(brokerIdentitySources(runtime), username),
      skipDevices: config.ILOT_SIM_SKIP_DEVICES,
    }),
    config.ILOT_SIM_INITIAL_SOC_PCT,
  );
  for (const site of sites)
    console.log(
      `simulators: ${site.devices.size} devices of site "${site.id}" publishing on ${config.ILOT_SIM_MQTT_URL ?? runtime.ILOT_MQTT_URL}`,
    );
  const stop = () => void Promise.all(runners.map((r) => r.stop())).then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: Error) => {
  console.error(`simulators: ${error.message}`);
  process.exit(1);
});
