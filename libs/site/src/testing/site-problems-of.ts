import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SiteValidationError, validateSite } from '../site';

/** The demo's site file as parsed YAML, to change in a test. */
export const demoSiteDocument = (): any =>
  parse(readFileSync(join(__dirname, '..', '..', '..', '..', 'sites', 'demo.yaml'), 'utf8'));

/** Every problem the site validation finds in a document changed by `mutate` (the demo's by default); [] if valid. */
export function siteProblemsOf(mutate: (site: any) => void, base: () => any = demoSiteDocument): string[] {
  const raw = base();
  mutate(raw);
  try {
    validateSite(raw, 'test.yaml');
  } catch (error) {
    if (error instanceof SiteValidationError) return error.problems;
    throw error;
  }
  return [];
}
