import { parsePasswordFile, readPassword, verifyMosquittoPassword } from '@ilot/mqtt';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './main';

const demo = join(process.cwd(), 'sites', 'demo.yaml');

describe('ilot devices provision', () => {
  const run = async (...args: string[]) => {
    const lines: string[] = [];
    const code = await runCli(['devices', 'provision', ...args], (line) => lines.push(line));
    return { code, out: lines.join('\n') };
  };

  it('makes a credential for every device and service, keeps them on a second run, rotates one, prints no secret', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ilot-provision-'));
    const first = await run('--site', demo, '--out', out);
    expect(first.code).toBe(0);
    const passwd = parsePasswordFile(readFileSync(join(out, 'passwd'), 'utf8'));
    expect(passwd.size).toBe(86); // the demo's 82 devices (50 of electricity, 16 gas and 16 water meters) and 4 services
    expect(first.out).toContain('86 created, 0 kept');
    const battery = readPassword(out, 'demo/bat-1');
    expect(verifyMosquittoPassword(passwd.get('demo/bat-1')!, battery)).toBe(true);
    for (const [user] of passwd) expect(first.out).not.toContain(readPassword(out, user));
    expect(statSync(join(out, 'devices', 'demo', 'bat-1.password')).mode & 0o777).toBe(0o600);
    expect(statSync(join(out, 'passwd')).mode & 0o777).toBe(0o600);

    const again = await run('--site', demo, '--out', out);
    expect(again.out).toContain('0 created, 86 kept');
    expect(readPassword(out, 'demo/bat-1')).toBe(battery);

    const rotated = await run('--site', demo, '--out', out, '--rotate', 'bat-1');
    expect(rotated.out).toContain('1 rotated');
    const after = parsePasswordFile(readFileSync(join(out, 'passwd'), 'utf8'));
    expect(readPassword(out, 'demo/bat-1')).not.toBe(battery);
    expect(verifyMosquittoPassword(after.get('demo/bat-1')!, battery)).toBe(false);
    expect(after.get('demo/m-a-101')).toBe(passwd.get('demo/m-a-101'));
  });

  it("revokes a device its site no longer has, and leaves another site's alone", async () => {
    const out = mkdtempSync(join(tmpdir(), 'ilot-provision-'));
    const other = join(mkdtempSync(join(tmpdir(), 'ilot-site-')), 'other.yaml');
    writeFileSync(other, readFileSync(demo, 'utf8').replace(/^id: demo$/m, 'id: other'));
    expect((await run('--site', demo, '--site', other, '--out', out)).code).toBe(0);
    const smaller = join(mkdtempSync(join(tmpdir(), 'ilot-site-')), 'demo.yaml');
    // The demo without building B's PV array (no participant names it: the site stays valid).
    const text = readFileSync(demo, 'utf8');
    const withoutPv = text.replace(/^.*id: pv-b.*\n/m, '');
    expect(withoutPv).not.toBe(text);
    writeFileSync(smaller, withoutPv);
    const result = await run('--site', smaller, '--out', out);
    expect(result.code).toBe(0);
    expect(result.out).toContain('1 revoked');
    const passwd = parsePasswordFile(readFileSync(join(out, 'passwd'), 'utf8'));
    expect(passwd.has('demo/pv-b')).toBe(false);
    expect(passwd.has('other/pv-b')).toBe(true);
    expect(readFileSync(join(out, 'acl'), 'utf8')).not.toContain('user demo/pv-b\n');
  });

  it('refuses a rotation of what it does not know, and a CA without its key', async () => {
    const out = mkdtempSync(join(tmpdir(), 'ilot-provision-'));
    expect((await run('--site', demo, '--out', out, '--rotate', 'nope')).code).toBe(2);
    expect((await run('--site', demo, '--out', out, '--ca-cert', demo)).code).toBe(2);
  });

  it("issues client certificates whose CN is the device's user name, signed by the operator's CA", async () => {
    const out = mkdtempSync(join(tmpdir(), 'ilot-provision-'));
    const ca = mkdtempSync(join(tmpdir(), 'ilot-ca-'));
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2'],
        ...['-subj', '/CN=test CA', '-keyout', join(ca, 'ca.key'), '-out', join(ca, 'ca.crt')],
      ],
      { stdio: 'pipe' },
    );
    const result = await run(
      '--site',
      demo,
      '--out',
      out,
      '--ca-cert',
      join(ca, 'ca.crt'),
      '--ca-key',
      join(ca, 'ca.key'),
    );
    expect(result.out).toContain('82 client certificate(s)');
    const crt = join(out, 'devices', 'demo', 'bat-1.crt');
    expect(execFileSync('openssl', ['x509', '-in', crt, '-noout', '-subject']).toString()).toContain('CN = demo/bat-1');
    expect(execFileSync('openssl', ['verify', '-CAfile', join(ca, 'ca.crt'), crt]).toString()).toContain(': OK');
    expect(statSync(join(out, 'devices', 'demo', 'bat-1.key')).mode & 0o777).toBe(0o600);
  });
});
