import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stopChild } from './child';
import { waitFor } from './services';

/** The repository root, from source (test/support) or from dist (dist/test/support). */
function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

/** A built app as its own process, as production runs it (ready once its /readyz answers 200). */
export class AppProcess {
  private child: ChildProcess | undefined;
  output = '';

  /** `nodeArgs`: options for node itself, e.g. `--cpu-prof`. */
  constructor(
    private readonly app: 'ingestion' | 'optimiser' | 'metrics' | 'api',
    private readonly env: Record<string, string>,
    private readonly nodeArgs: string[] = [],
    /** How long a start may take before it fails, ms. */
    private readonly readyWithinMs = 30_000,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get httpPort(): number {
    return Number(this.env.ILOT_HTTP_PORT);
  }

  async start(): Promise<void> {
    this.child = spawn(process.execPath, [...this.nodeArgs, join(repoRoot(), `dist/apps/${this.app}/src/main.js`)], {
      env: { PATH: process.env.PATH ?? '', ILOT_LOG_LEVEL: 'warn', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    await waitFor(
      `the ${this.app} app to be ready`,
      async () => {
        if (this.child?.exitCode !== null) throw new Error(`${this.app} exited: ${this.output}`);
        return (await fetch(`http://127.0.0.1:${this.httpPort}/readyz`).catch(() => undefined))?.status === 200;
      },
      this.readyWithinMs,
      100,
    );
  }

  /** "running", or how it ended (a test's diagnosis says it first). */
  get state(): string {
    if (!this.child) return 'not started';
    if (this.child.exitCode !== null) return `exited with code ${this.child.exitCode}`;
    if (this.child.signalCode) return `killed by ${this.child.signalCode}`;
    return 'running';
  }

  /** Throws with the app's output if it has exited. */
  assertRunning(): void {
    if (this.child && this.child.exitCode !== null)
      throw new Error(`${this.app} exited with code ${this.child.exitCode}: ${this.output}`);
  }

  /** kill -9: no shutdown hook runs, nothing pending is flushed, no PUBACK goes out. */
  kill9(): Promise<void> {
    return stopChild(this.child, 'SIGKILL');
  }

  stop(): Promise<void> {
    return stopChild(this.child);
  }

  async metric(name: string): Promise<number> {
    return (await this.metrics([name])).get(name)!;
  }

  /** Several metrics from one scrape: each name's samples added up (all its labels). */
  async metrics(names: readonly string[]): Promise<Map<string, number>> {
    const lines = (await (await fetch(`http://127.0.0.1:${this.httpPort}/metrics`)).text()).split('\n');
    return new Map(
      names.map((name) => [
        name,
        lines.filter((line) => line.startsWith(name)).reduce((sum, line) => sum + Number(line.split(' ').at(-1)), 0),
      ]),
    );
  }
}

/** The built ingestion app as its own process. */
export class IngesterProcess extends AppProcess {
  constructor(env: Record<string, string>, nodeArgs: string[] = []) {
    super('ingestion', env, nodeArgs);
  }
}
