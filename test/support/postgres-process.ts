import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testPort } from './services';

/** The machine's PostgreSQL programs (Debian: /usr/lib/postgresql/{version}/bin), or undefined without them. */
export function postgresBin(): string | undefined {
  try {
    const version = readdirSync('/usr/lib/postgresql').sort().at(-1);
    const bin = version && join('/usr/lib/postgresql', version, 'bin');
    return bin && existsSync(join(bin, 'pg_ctl')) ? bin : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A PostgreSQL server of a test's own (the machine's programs, a cluster made in a temporary folder, trust on
 * loopback, a port of its own), so that a test can stop it under load, even with -m immediate, without touching the
 * server every other test uses: a fault test that stops its database can run beside the others, on any machine.
 * Run as root, the server runs as the `postgres` user, as Debian's does.
 */
export class PostgresProcess {
  readonly port = testPort();
  readonly dataDir: string;
  private readonly bin = postgresBin();
  private readonly asRoot = process.getuid?.() === 0;

  /** Whether this machine can run one: PostgreSQL's programs, and (as root) a `postgres` user to run them. */
  static available(): boolean {
    if (!postgresBin()) return false;
    if (process.getuid?.() !== 0) return true;
    try {
      execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  constructor() {
    const parent = mkdtempSync(join(tmpdir(), 'ilot-postgres-'));
    this.dataDir = join(parent, 'data');
    if (this.asRoot) chownSync(parent, this.uid(), -1);
  }

  /** The URL of its `postgres` database, as the superuser `postgres`. */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Makes the cluster (once) and starts the server; resolves once it accepts connections. */
  start(): void {
    if (!existsSync(this.dataDir))
      this.run('initdb', ['-D', this.dataDir, '-U', 'postgres', '-A', 'trust', '--no-sync', '-E', 'UTF8']);
    this.run('pg_ctl', [
      '-D',
      this.dataDir,
      '-l',
      join(this.dataDir, '..', 'server.log'),
      '-o',
      `-p ${this.port} -c listen_addresses=127.0.0.1 -k ${join(this.dataDir, '..')} -c fsync=off`,
      '-w',
      'start',
    ]);
  }

  /** `immediate`: as a crash (no checkpoint, clients cut); `fast`: a clean shutdown. */
  stop(mode: 'immediate' | 'fast' = 'fast'): void {
    this.run('pg_ctl', ['-D', this.dataDir, '-m', mode, '-w', 'stop']);
  }

  private uid(): number {
    return Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  }

  private run(program: string, args: string[]): void {
    if (!this.bin) throw new Error('PostgreSQL programs not found under /usr/lib/postgresql');
    const path = join(this.bin, program);
    if (this.asRoot) execFileSync('runuser', ['-u', 'postgres', '--', path, ...args], { stdio: 'pipe' });
    else execFileSync(path, args, { stdio: 'pipe' });
  }
}
