import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSecret } from './secret-file';

/** The operator's certificate authority: its certificate and private key (PEM files). */
export interface CertificateAuthority {
  certFile: string;
  keyFile: string;
  /** How long a client certificate is valid; 825 days, the longest browsers accept, by default. */
  days?: number;
}

/**
 * A client certificate for one MQTT user, its subject's CN the user name (Mosquitto's `use_identity_as_username`
 * takes it for the user name, so the ACL applies to a device connecting by certificate alone): `{base}.crt` and
 * `{base}.key` (mode 600). Made with the openssl command line; the key never leaves the folder.
 */
export function issueClientCertificate(ca: CertificateAuthority, username: string, base: string): void {
  const work = mkdtempSync(join(tmpdir(), 'ilot-cert-'));
  try {
    // A config file rather than -subj: the CN holds a "/" (site/device), which -subj would split.
    const config = join(work, 'req.cnf');
    writeFileSync(
      config,
      [
        '[req]',
        'prompt = no',
        'distinguished_name = dn',
        '[dn]',
        `CN = ${username}`,
        '[client]',
        'extendedKeyUsage = clientAuth',
        '',
      ].join('\n'),
    );
    const key = join(work, 'client.key');
    const csr = join(work, 'client.csr');
    const crt = join(work, 'client.crt');
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', key]);
    openssl(['req', '-new', '-key', key, '-config', config, '-out', csr]);
    openssl([
      ...['x509', '-req', '-in', csr, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-CAcreateserial'],
      ...['-days', String(ca.days ?? 825), '-extfile', config, '-extensions', 'client', '-out', crt],
    ]);
    writeSecret(`${base}.key`, readFileSync(key));
    copyFileSync(crt, `${base}.crt`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function openssl(args: string[]): void {
  try {
    execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = (error as { stderr?: Buffer }).stderr?.toString().trim();
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(
      missing ? 'openssl is needed to issue client certificates (not found)' : `openssl ${args[0]}: ${stderr}`,
      { cause: error },
    );
  }
}
