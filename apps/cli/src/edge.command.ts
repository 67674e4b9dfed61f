import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { required } from './args';

/**
 * `ilot edge --config FILE`: the building gateway (apps/edge, docs/edge.md) in the foreground, as `npm run start:edge`
 * runs it, until Ctrl-C or SIGTERM (each device then says "offline", its commands left to their revert timers). The
 * gateway is its own app: it runs as a process of the build, never imported by the CLI.
 */
export function edgeCommand(options: Map<string, string[]>): Promise<void> {
  const config = required(options, 'config');
  const main = join(__dirname, '..', '..', 'edge', 'src', 'main.js');
  if (!existsSync(main)) throw new Error(`the gateway is not built (${main}): run npm run build`);
  return new Promise((resolve, reject) => {
    const gateway = spawn(process.execPath, [main, '--config', config], { stdio: 'inherit' });
    const forward = (signal: NodeJS.Signals) => gateway.kill(signal);
    process.once('SIGINT', forward);
    process.once('SIGTERM', forward);
    gateway.once('error', reject);
    gateway.once('exit', (code, signal) => {
      process.removeListener('SIGINT', forward);
      process.removeListener('SIGTERM', forward);
      if (code === 0) resolve();
      else reject(new Error(`the gateway stopped: ${signal ?? `exit ${code}`}`));
    });
  });
}
