import type { Clock } from '@ilot/domain';
import { deviceUsername } from '@ilot/protocol';
import type { Site } from '@ilot/site';
import { IlotWorld } from './ilot-world';
import { ProfileTable } from './profile-table';
import { SimulatorOptions, SimulatorRunner } from './simulator-runner';

/**
 * The simulated devices of each site, one runner per site (started in turn: each device its own MQTT session). A site
 * whose devices have no broker credentials (one stored through the API, never provisioned) is left out and said so
 * (`warn`), never stopping the others (issue 26: such a site stopped every start with `no MQTT password`).
 */
export async function startSimulatorRunners(
  sites: readonly Site[],
  clock: Clock,
  options: SimulatorOptions | ((site: Site) => SimulatorOptions),
  initialSocPct?: number,
  warn: (line: string) => void = (line) => console.warn(line),
): Promise<SimulatorRunner[]> {
  const profiles = ProfileTable.load();
  const runners: SimulatorRunner[] = [];
  for (const site of sites) {
    const siteOptions = typeof options === 'function' ? options(site) : options;
    const missing = missingCredentials(site, siteOptions);
    if (missing) {
      warn(`simulators: the devices of site "${site.id}" are not simulated: ${missing}`);
      continue;
    }
    const runner = new SimulatorRunner(new IlotWorld(site, profiles, initialSocPct), clock, siteOptions);
    await runner.start();
    runners.push(runner);
  }
  return runners;
}

/** Why a site's devices cannot connect (a credential missing), read before any of them does; else undefined. */
function missingCredentials(site: Site, options: SimulatorOptions): string | undefined {
  if (!options.identity) return undefined;
  try {
    const skipped = new Set(options.skipDevices ?? []);
    for (const deviceId of site.devices.keys())
      if (!skipped.has(deviceId)) options.identity(deviceUsername(site.id, deviceId));
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
