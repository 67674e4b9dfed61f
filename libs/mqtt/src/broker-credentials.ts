import { deviceUsername, identityOf, INTERNAL_SERVICES, renderMosquittoAcl, SERVICE_USERS } from '@ilot/protocol';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { issueClientCertificate, CertificateAuthority } from './client-certificates';
import { writeSecret } from './secret-file';
import { hashMosquittoPassword, parsePasswordFile, renderPasswordFile } from './mosquitto-password';

/**
 * A deployment's broker credentials, in one folder (`ilot devices provision --out DIR`, and `npm start`'s data folder):
 *
 *   passwd                              Mosquitto's password file (hashes only), every service and device
 *   passwd-devices                      the same, of those who connect from outside: devices, aggregator, forecast feed
 *   passwd-services                     the same, of the services inside the deployment (ingestion, optimiser)
 *   acl                                 Mosquitto's ACL (libs/protocol/src/mqtt-access.ts)
 *   services/{name}.password            a service's password (mode 600), ILOT_MQTT_CREDENTIALS_DIR of the apps
 *   devices/{siteId}/{deviceId}.password  a device's password (mode 600), for its controller's integrator
 *   devices/{siteId}/{deviceId}.crt|.key  its client certificate, signed by the operator's CA (--ca-cert, --ca-key)
 *
 * Provisioning again keeps every credential already given out, makes the missing ones, and removes the devices a
 * site no longer has; `rotate` replaces the named ones. Nothing secret is returned or logged.
 */
export interface ProvisionRequest {
  dir: string;
  sites: readonly { id: string; deviceIds: readonly string[] }[];
  /** User names (`site/device` or a service's) whose credentials are replaced. */
  rotate?: readonly string[];
  ca?: CertificateAuthority;
}

export interface ProvisionOutcome {
  created: string[];
  kept: string[];
  rotated: string[];
  removed: string[];
  certificates: number;
}

export function passwordPath(dir: string, username: string): string {
  const identity = identityOf(username);
  if (!identity) throw new Error(`"${username}" is neither a service nor a site/device user name`);
  return identity.kind === 'service'
    ? join(dir, 'services', `${identity.name}.password`)
    : join(dir, 'devices', identity.siteId, `${identity.deviceId}.password`);
}

/** The password of one user from a credentials folder, with a precise reason when it is not there. */
export function readPassword(dir: string, username: string): string {
  const path = passwordPath(dir, username);
  if (!existsSync(path))
    throw new Error(`no MQTT password for "${username}" in ${dir} (${path}): run ilot devices provision`);
  return readFileSync(path, 'utf8').trim();
}

export function provisionCredentials(request: ProvisionRequest): ProvisionOutcome {
  const { dir } = request;
  const passwdPath = join(dir, 'passwd');
  const entries = existsSync(passwdPath) ? parsePasswordFile(readFileSync(passwdPath, 'utf8')) : new Map();
  const rotate = new Set(request.rotate ?? []);
  for (const name of rotate)
    if (!entries.has(name)) throw new Error(`--rotate ${name}: no such user provisioned in ${dir}`);
  const outcome: ProvisionOutcome = { created: [], kept: [], rotated: [], removed: [], certificates: 0 };
  const wanted = [
    ...SERVICE_USERS,
    ...request.sites.flatMap((site) => site.deviceIds.map((id) => deviceUsername(site.id, id))),
  ];
  for (const username of wanted) {
    const path = passwordPath(dir, username);
    const has = entries.has(username) && existsSync(path);
    if (has && !rotate.has(username)) {
      outcome.kept.push(username);
    } else {
      const password = randomBytes(24).toString('base64url');
      writeSecret(path, `${password}\n`);
      entries.set(username, hashMosquittoPassword(password));
      (has ? outcome.rotated : outcome.created).push(username);
    }
    if (request.ca && identityOf(username)?.kind === 'device' && needsCertificate(path, rotate.has(username))) {
      issueClientCertificate(request.ca, username, path.replace(/\.password$/, ''));
      outcome.certificates++;
    }
  }
  // A device its site no longer has loses its rights (the sites provisioned now; other sites are left as they are).
  const served = new Set(request.sites.map((site) => site.id));
  for (const username of [...entries.keys()]) {
    const identity = identityOf(username);
    if (identity?.kind !== 'device' || !served.has(identity.siteId) || wanted.includes(username)) continue;
    entries.delete(username);
    const base = passwordPath(dir, username).replace(/\.password$/, '');
    for (const ext of ['.password', '.crt', '.key']) rmSync(base + ext, { force: true });
    outcome.removed.push(username);
  }
  const sorted = new Map([...entries].sort(([a], [b]) => a.localeCompare(b)));
  writeSecret(passwdPath, renderPasswordFile(sorted));
  // One password file per kind of listener (deploy/mosquitto): a device's credential is refused on the services'
  // listener, where client ids are not bound to user names (issue 26).
  const internal = (name: string) => (INTERNAL_SERVICES as readonly string[]).includes(name);
  const subset = (keep: (name: string) => boolean) => new Map([...sorted].filter(([name]) => keep(name)));
  writeSecret(join(dir, 'passwd-devices'), renderPasswordFile(subset((name) => !internal(name))));
  writeSecret(join(dir, 'passwd-services'), renderPasswordFile(subset(internal)));
  const devices = [...sorted.keys()].map(identityOf).flatMap((i) => (i?.kind === 'device' ? [i] : []));
  writeFileSync(join(dir, 'acl'), renderMosquittoAcl(devices));
  return outcome;
}

function needsCertificate(passwordFile: string, rotated: boolean): boolean {
  return rotated || !existsSync(passwordFile.replace(/\.password$/, '.crt'));
}
