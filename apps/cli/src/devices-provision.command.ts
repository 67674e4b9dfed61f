import { provisionCredentials, ProvisionOutcome } from '@ilot/mqtt';
import { deviceUsername, SERVICE_USERS } from '@ilot/protocol';
import { loadSiteFile, loadSitesDir, Site } from '@ilot/site';
import { existsSync } from 'node:fs';
import { required, UsageError } from './args';

/**
 * `ilot devices provision (--site FILE... | --sites-dir DIR) --out DIR [--rotate USER]... [--ca-cert PEM --ca-key PEM]`:
 * broker credentials for every device of the sites and for the services (libs/mqtt broker-credentials: Mosquitto's
 * password file and ACL, a password file per identity, client certificates signed by the operator's CA). Again on
 * the same folder: credentials already given out are kept, the missing made, a site's removed devices revoked.
 * `--rotate` replaces one: a device id of the one --site, `site/device`, or a service's name. Prints counts and
 * paths, never a secret.
 */
export function devicesProvisionCommand(options: Map<string, string[]>, log: (line: string) => void): ProvisionOutcome {
  const dir = required(options, 'out');
  const sites = sitesOf(options);
  const rotate = (options.get('rotate') ?? []).map((name) => rotatedUser(name, sites));
  const caCert = options.get('ca-cert')?.[0];
  const caKey = options.get('ca-key')?.[0];
  if ((caCert === undefined) !== (caKey === undefined)) throw new UsageError('--ca-cert and --ca-key go together');
  for (const file of [caCert, caKey]) if (file && !existsSync(file)) throw new UsageError(`${file}: no such file`);
  const outcome = provisionCredentials({
    dir,
    sites: sites.map((site) => ({ id: site.id, deviceIds: [...site.devices.keys()] })),
    rotate,
    ca: caCert && caKey ? { certFile: caCert, keyFile: caKey } : undefined,
  });
  const devices = sites.reduce((n, site) => n + site.devices.size, 0);
  log(
    `${dir}: ${sites.length} site(s), ${devices} devices and ${SERVICE_USERS.length} services: ` +
      `${outcome.created.length} created, ${outcome.kept.length} kept, ${outcome.rotated.length} rotated, ` +
      `${outcome.removed.length} revoked, ${outcome.certificates} client certificate(s)`,
  );
  log(`  broker: ${dir}/passwd (password_file) and ${dir}/acl (acl_file)`);
  log(`  apps: ILOT_MQTT_CREDENTIALS_DIR=${dir} (services/*.password); devices: ${dir}/devices/SITE/DEVICE.password`);
  return outcome;
}

function sitesOf(options: Map<string, string[]>): Site[] {
  const files = options.get('site') ?? [];
  const dir = options.get('sites-dir')?.[0];
  if (files.length === 0 && !dir) throw new UsageError('--site or --sites-dir is required');
  const sites = files.map((file) => loadSiteFile(file));
  if (dir) {
    const load = loadSitesDir(dir);
    if (load.refused.length > 0)
      throw new UsageError(
        `--sites-dir ${dir}: ${load.refused.map((r) => r.source).join(', ')} refused (ilot validate)`,
      );
    sites.push(...load.sites.map((entry) => entry.site));
  }
  return sites;
}

function rotatedUser(name: string, sites: Site[]): string {
  if ((SERVICE_USERS as readonly string[]).includes(name) || name.includes('/')) return name;
  if (sites.length !== 1) throw new UsageError(`--rotate ${name}: say which site's, as site/device`);
  if (!sites[0].devices.has(name))
    throw new UsageError(`--rotate ${name}: no device "${name}" in site "${sites[0].id}"`);
  return deviceUsername(sites[0].id, name);
}
