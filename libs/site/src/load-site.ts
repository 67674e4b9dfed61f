import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { Site, SiteValidationError, validateSite } from './site';

/** Reads and validates a site file; any problem is a SiteValidationError naming the file, path and reason. */
export function loadSiteFile(path: string): Site {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new SiteValidationError(path, [`cannot read the file: ${(error as Error).message}`]);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    throw new SiteValidationError(path, [`not valid YAML: ${(error as Error).message.split('\n')[0]}`]);
  }
  return validateSite(raw, path);
}
