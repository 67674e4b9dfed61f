import type { Clock } from '@ilot/domain';
import type { Site } from '@ilot/site';
import { IlotWorld } from './ilot-world';
import { ProfileTable } from './profile-table';
import { SimulatorOptions, SimulatorRunner } from './simulator-runner';

/** The simulated devices of each site, one runner per site (started in turn: each device its own MQTT session). */
export async function startSimulatorRunners(
  sites: readonly Site[],
  clock: Clock,
  options: SimulatorOptions | ((site: Site) => SimulatorOptions),
  initialSocPct?: number,
): Promise<SimulatorRunner[]> {
  const profiles = ProfileTable.load();
  const runners: SimulatorRunner[] = [];
  for (const site of sites) {
    const runner = new SimulatorRunner(
      new IlotWorld(site, profiles, initialSocPct),
      clock,
      typeof options === 'function' ? options(site) : options,
    );
    await runner.start();
    runners.push(runner);
  }
  return runners;
}
