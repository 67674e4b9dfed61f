import { generateSiteDocuments, loadSitesDir } from '@ilot/site';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { required, UsageError } from './args';

/**
 * `ilot generate-sites --count N --out DIR [--seed S]`: a folder of N îlots of varied sizes (libs/site
 * `generateSiteDocuments`), one site file each, for `ILOT_SITES_DIR` (many îlots in one deployment, issue 14). Read
 * back and validated as the apps will read them; says how many sites and devices it wrote.
 */
export function generateSitesCommand(options: Map<string, string[]>, log: (line: string) => void): number {
  const count = Number(required(options, 'count'));
  if (!Number.isInteger(count) || count < 1 || count > 10_000)
    throw new UsageError('--count must be a whole number of îlots from 1 to 10000');
  const seed = Number(options.get('seed')?.[0] ?? 1);
  if (!Number.isInteger(seed)) throw new UsageError('--seed must be a whole number');
  const dir = required(options, 'out');
  mkdirSync(dir, { recursive: true });
  for (const document of generateSiteDocuments(count, seed))
    writeFileSync(join(dir, `${String(document.id)}.yaml`), stringify(document));
  const { sites, refused } = loadSitesDir(dir);
  if (refused.length > 0)
    throw new Error(`${refused.length} generated site(s) refused: ${refused.map((r) => r.source).join(', ')}`);
  const devices = sites.reduce((sum, entry) => sum + entry.site.devices.size, 0);
  log(`${dir}: ${sites.length} îlot(s), ${devices} devices (seed ${seed}); run them with ILOT_SITES_DIR=${dir}`);
  return sites.length;
}
