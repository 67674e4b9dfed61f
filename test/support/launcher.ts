import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';

/** `npm start` as a user runs it: the built launcher in its own process group (a terminal's Ctrl-C reaches all). */
export function spawnLauncher(
  root: string,
  env: Record<string, string | undefined>,
): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, [join(root, 'dist/apps/ilot/src/main.js')], {
    cwd: root,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ILOT_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}
