import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(__dirname, '..');

/** Runs the built `ilot` (bin/ilot.js) and keeps its exit code and output. */
function ilot(...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'ilot.js'), ...args], { cwd: root });
    let out = '';
    child.stdout.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (out += chunk));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

/** `ilot edge --config FILE` (issue 28) runs the built gateway with the config given, and says what is wrong with it. */
describe('ilot edge', () => {
  it('runs the gateway on the config given: a bad one is refused with its field, the exit code says it failed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ilot-edge-cli-'));
    const config = join(dir, 'edge.yaml');
    writeFileSync(config, 'site: demo\nmqtt: { url: mqtt://127.0.0.1:1 }\ndevices: []\n');
    const { code, out } = await ilot('edge', '--config', config);
    expect(code).toBe(1);
    expect(out).toContain('devices: an edge gateway needs at least one device');
    expect(out).toContain('ilot edge: the gateway stopped: exit 1');
  }, 30_000);

  it('refuses to run without a config, with its usage', async () => {
    const { code, out } = await ilot('edge');
    expect(code).toBe(2);
    expect(out).toContain('usage: ilot edge --config FILE');
  }, 30_000);
});
