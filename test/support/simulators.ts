import { Clock } from '@ilot/domain';
import { Site } from '@ilot/site';
import { SimulatorRunner, startSimulatorRunners } from '@ilot/simulators';

/** One simulated îlot per site (MQTT 5, a reading every 5 simulated minutes), started in turn. */
export function startSimulators(sites: Site[], clock: Clock, mqttUrl: string): Promise<SimulatorRunner[]> {
  return startSimulatorRunners(sites, clock, { mqttUrl, protocolVersion: 5, periodSimMs: 300_000 });
}
