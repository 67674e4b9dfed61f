import { ChildProcess, spawn } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { portOpen, stopChild } from './child';
import { testPort, waitFor } from './services';

/**
 * A Mosquitto of a test's own (real, from Debian), on a port of its own, with Îlot's production settings
 * (`deploy/mosquitto/conf.d`: persistence, deep queues) and a state folder kept across `stop`/`start`, so that a test
 * can restart the broker under load without touching the shared test broker. `extraConfig`: more lines; `config`: a
 * configuration of the test's own (deploy/mosquitto's, its paths and ports the test's).
 */
export class MosquittoProcess {
  readonly port = testPort();
  readonly stateDir = mkdtempSync(join(tmpdir(), 'ilot-mosquitto-'));
  private child: ChildProcess | undefined;
  output = '';

  /** `config`: the whole configuration instead of the default one (a test of deploy/mosquitto's own). */
  constructor(
    options: { extraConfig?: string[]; config?: (broker: { port: number; stateDir: string }) => string[] } = {},
  ) {
    const configPath = join(this.stateDir, 'mosquitto.conf');
    const lines = options.config
      ? options.config({ port: this.port, stateDir: this.stateDir })
      : [
          `listener ${this.port} 127.0.0.1`,
          'allow_anonymous true',
          `persistence_location ${this.stateDir}/`,
          'log_dest stderr',
          `include_dir ${join(process.cwd(), 'deploy/mosquitto/conf.d')}`,
          ...(options.extraConfig ?? []),
        ];
    writeFileSync(configPath, [...lines, ''].join('\n'));
    giveToMosquitto(this.stateDir);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('mosquitto', ['-c', join(this.stateDir, 'mosquitto.conf')], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    await waitFor(
      `Mosquitto on ${this.port}`,
      async () => {
        if (this.child?.exitCode !== null) throw new Error(`mosquitto exited: ${this.output}`);
        return portOpen(this.port);
      },
      10_000,
      50,
    );
  }

  /** SIGTERM: Mosquitto writes its persistence file (sessions, queued messages) and exits. */
  stop(): Promise<void> {
    return stopChild(this.child);
  }
}

/**
 * Started as root, Mosquitto drops to its own user: what it reads (certificates, password file, ACL) and its state
 * folder must be its. A folder is given with all it holds.
 */
export function giveToMosquitto(path: string): void {
  if (process.getuid?.() !== 0) return;
  const uid = Number(execFileSync('id', ['-u', 'mosquitto']).toString().trim());
  const walk = (entry: string) => {
    chownSync(entry, uid, -1);
    if (statSync(entry).isDirectory()) for (const name of readdirSync(entry)) walk(join(entry, name));
  };
  walk(path);
}
