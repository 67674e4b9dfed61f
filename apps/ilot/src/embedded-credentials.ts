import { provisionCredentials } from '@ilot/mqtt';
import { loadSiteFile, loadSitesDir } from '@ilot/site';
import { join } from 'node:path';

/**
 * The embedded broker's credentials, kept in the data folder (`{ILOT_DATA_DIR}/mqtt`, the layout of `ilot devices
 * provision`): one for each app and each device of the sites served at start, made on the first run and kept after.
 * A site added later through the API has its devices provisioned at the next start.
 */
export function embeddedCredentials(env: NodeJS.ProcessEnv, dataDir: string): string {
  const dir = join(dataDir, 'mqtt');
  const sites = env.ILOT_SITES_DIR
    ? loadSitesDir(env.ILOT_SITES_DIR).sites.map((entry) => entry.site)
    : [loadSiteFile(env.ILOT_SITE_FILE ?? 'sites/demo.yaml')];
  provisionCredentials({ dir, sites: sites.map((site) => ({ id: site.id, deviceIds: [...site.devices.keys()] })) });
  return dir;
}
