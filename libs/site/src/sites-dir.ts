import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSiteFile } from './load-site';
import { Site, SiteValidationError } from './site';

/** A site read from a folder or the database, with where it came from and a fingerprint of what it was read from. */
export interface SiteEntry {
  site: Site;
  /** The file's path, or `api` for a site stored through the API. */
  source: string;
  /** sha256 of the document (and of a dynamic tariff's price series): the same fingerprint, the same site. */
  fingerprint: string;
}

/** A site document that could not be taken, and every reason. */
export interface RefusedSite {
  source: string;
  problems: string[];
}

export interface SitesLoad {
  sites: SiteEntry[];
  refused: RefusedSite[];
}

const SITE_FILE = /\.(ya?ml|json)$/i;

/**
 * Every site file of a folder (`*.yaml`, `*.yml`, `*.json`, in name order; a dynamic tariff's CSV beside them is read
 * through its site). A bad file, or a second file with an id already taken, is refused with its reasons and never
 * stops the others. A folder that cannot be read is one refusal.
 */
export function loadSitesDir(dir: string): SitesLoad {
  let names: string[];
  try {
    names = readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isFile() && SITE_FILE.test(entry.name))
      .map((entry) => entry.name)
      .sort();
  } catch (error) {
    return { sites: [], refused: [{ source: dir, problems: [`cannot read the folder: ${(error as Error).message}`] }] };
  }
  const load: SitesLoad = { sites: [], refused: [] };
  for (const name of names) {
    const path = join(dir, name);
    try {
      const site = loadSiteFile(path);
      const fingerprint = fingerprintOf(readFileSync(path, 'utf8'), site);
      addSite(load, { site, source: path, fingerprint });
    } catch (error) {
      const problems =
        error instanceof SiteValidationError ? error.problems : [`cannot be read: ${(error as Error).message}`];
      load.refused.push({ source: path, problems });
    }
  }
  return load;
}

/** Adds a site unless its id is already taken (then refused, naming where the id is defined). */
export function addSite(load: SitesLoad, entry: SiteEntry): void {
  const taken = load.sites.find((other) => other.site.id === entry.site.id);
  if (taken)
    load.refused.push({
      source: entry.source,
      problems: [`id: site "${entry.site.id}" is already defined by ${taken.source}`],
    });
  else load.sites.push(entry);
}

/** sha256 of a site's document and of its price series (a dynamic tariff's CSV may change alone). */
export function fingerprintOf(document: string, site: Site): string {
  const hash = createHash('sha256').update(document);
  if (site.priceSeries) hash.update(JSON.stringify(site.priceSeries));
  return hash.digest('hex');
}

/** What changed between two loads: sites added, changed (another fingerprint) and removed, by id. */
export interface SiteDefinitionChanges {
  added: SiteEntry[];
  changed: SiteEntry[];
  removed: string[];
}

export function siteDefinitionChanges(
  before: readonly SiteEntry[],
  after: readonly SiteEntry[],
): SiteDefinitionChanges {
  const old = new Map(before.map((entry) => [entry.site.id, entry]));
  const now = new Set(after.map((entry) => entry.site.id));
  return {
    added: after.filter((entry) => !old.has(entry.site.id)),
    changed: after.filter(
      (entry) => old.has(entry.site.id) && old.get(entry.site.id)!.fingerprint !== entry.fingerprint,
    ),
    removed: before.filter((entry) => !now.has(entry.site.id)).map((entry) => entry.site.id),
  };
}
