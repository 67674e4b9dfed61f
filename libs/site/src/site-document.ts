import { createHash } from 'node:crypto';
import { Site, SiteValidationError, validateSite } from './site';
import type { SiteEntry } from './sites-dir';

/**
 * A site sent as a JSON document (`PUT /api/v1/sites/{siteId}`, or read back from the database): the site file's
 * validation and messages, plus what only a file can have refused (a dynamic tariff reads its prices from a CSV beside
 * its file). Throws SiteValidationError with every problem.
 */
export function siteFromDocument(document: unknown, source: string): SiteEntry {
  const site: Site = validateSite(document, source);
  if (site.tariff.kind === 'dynamic')
    throw new SiteValidationError(source, [
      'tariff.kind: a dynamic tariff reads its prices from a file beside a site file: put this site in ILOT_SITES_DIR',
    ]);
  const fingerprint = createHash('sha256').update(JSON.stringify(document)).digest('hex');
  return { site, source, fingerprint };
}
