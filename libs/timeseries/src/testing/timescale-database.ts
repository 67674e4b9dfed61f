import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * A TimescaleDB 2.23 server for tests (PGlite, test dependency only; see `timescale-server.mjs`).
 * Its background job scheduler does not run, so tests run the policies' jobs themselves.
 * PGlite is one backend session behind a query queue, shared by up to 4 connections: open it
 * with a pool of 2 (one holds the migration lock, one runs the migration transaction) and no
 * concurrent transactions, which would interleave.
 */
export interface TimescaleTestServer {
  url: string;
  stop(): Promise<void>;
}

export async function startTimescaleTestServer(timeoutMs = 60_000): Promise<TimescaleTestServer> {
  const child = spawn(process.execPath, [join(__dirname, 'timescale-server.mjs')], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the TimescaleDB test server did not start within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('exit', (code) =>
      reject(new Error(`the TimescaleDB test server exited with code ${code} before it was ready`)),
    );
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { url: string }).url);
    });
  }).catch((error: Error) => {
    child.kill('SIGKILL');
    throw error;
  });
  return {
    url,
    async stop() {
      child.stdin.end();
      await exited;
    },
  };
}
