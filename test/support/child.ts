import { ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';

/** SIGTERM and wait for the exit; nothing to do if the child is already gone (exited, or killed by a signal). */
export async function stopChild(
  child: ChildProcess | undefined,
  signal: NodeJS.Signals = 'SIGTERM',
  graceMs = 30_000,
): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  // Bounded (regression, the month soak: an app that never exited on SIGTERM held the run's cleanup for good): said,
  // then killed.
  const timer = setTimeout(() => {
    console.error(
      `${child.spawnargs.join(' ')} (pid ${child.pid}) still running ${graceMs / 1000} s after ${signal}: killed`,
    );
    child.kill('SIGKILL');
  }, graceMs);
  await exited;
  clearTimeout(timer);
}

/** Whether something listens on 127.0.0.1:port. */
export function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host: '127.0.0.1' });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}
