import { SystemClock } from '@ilot/domain';
import { loadEdgeConfig } from './edge.config';
import { EdgeGateway } from './edge-gateway';

/**
 * `npm run start:edge -- --config edge.yaml` (or ILOT_EDGE_CONFIG): the building's gateway. Stops cleanly on SIGTERM
 * and SIGINT: each device says "offline" and its commands are left to their revert timers.
 */
async function main(): Promise<void> {
  const index = process.argv.indexOf('--config');
  const path = index >= 0 ? process.argv[index + 1] : process.env.ILOT_EDGE_CONFIG;
  if (!path) throw new Error('no config: --config FILE or ILOT_EDGE_CONFIG');
  const config = loadEdgeConfig(path);
  const log = (line: string) => console.log(`${new Date().toISOString()} edge ${config.site}: ${line}`);
  const gateway = new EdgeGateway(config, new SystemClock(), log);
  await gateway.start();
  log(
    `${config.devices.length} device(s): ${config.devices.map((d) => `${d.id} (${d.protocol} ${d.protocol === 'ocpp' ? d.chargePointId : d.protocol === 'tic' && d.serialPath ? d.serialPath : `${d.host}:${d.port}`})`).join(', ')}`,
  );
  const stop = () => void gateway.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: Error) => {
  console.error(`edge: ${error.message}`);
  process.exit(1);
});
