import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { parsePriceSeries } from './price-series';
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
  const site = validateSite(raw, path);
  if (site.tariff.kind !== 'dynamic') return site;
  // A dynamic tariff's prices come from a CSV beside the site file.
  const seriesPath = resolve(dirname(path), site.tariff.seriesFile);
  let series: string;
  try {
    series = readFileSync(seriesPath, 'utf8');
  } catch (error) {
    throw new SiteValidationError(path, [`tariff.seriesFile: cannot read ${seriesPath}: ${(error as Error).message}`]);
  }
  const { points, problems } = parsePriceSeries(series);
  if (problems.length)
    throw new SiteValidationError(
      path,
      problems
        .slice(0, 20)
        .map((p) => `tariff.seriesFile ${site.tariff.kind === 'dynamic' ? site.tariff.seriesFile : ''}: ${p}`),
    );
  return { ...site, priceSeries: points };
}
