import { Clock } from '@ilot/domain';
import { Site } from '@ilot/site';
import { IlotWorld, ProfileTable, SimulatorRunner } from '@ilot/simulators';

/** One simulated îlot per site (MQTT 5, a reading every 5 simulated minutes), started in turn. */
export async function startSimulators(sites: Site[], clock: Clock, mqttUrl: string): Promise<SimulatorRunner[]> {
  const profiles = ProfileTable.load();
  const runners: SimulatorRunner[] = [];
  for (const site of sites) {
    const runner = new SimulatorRunner(new IlotWorld(site, profiles), clock, {
      mqttUrl,
      protocolVersion: 5,
      periodSimMs: 300_000,
    });
    await runner.start();
    runners.push(runner);
  }
  return runners;
}
