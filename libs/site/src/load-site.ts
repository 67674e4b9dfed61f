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
    throw new SiteValidationError(path, [yamlProblem(error as Error, text)]);
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

/**
 * A YAML error in one line: the parser's reason and position, and the line it points at, quoted (its message puts the
 * snippet on the following lines, which a one-line problem list would lose).
 */
export function yamlProblem(error: Error & { linePos?: Array<{ line: number; col: number }> }, text: string): string {
  const reason = error.message.split('\n')[0].replace(/:$/, '');
  const line = error.linePos?.[0]?.line;
  // An error found at the end of the text (an unclosed bracket) points past its last line: quote the last one written.
  const source =
    line === undefined
      ? undefined
      : text
          .split(/\r?\n/)
          .slice(0, line)
          .reverse()
          .find((l) => l.trim());
  return source === undefined
    ? `not valid YAML: ${reason}`
    : `not valid YAML: ${reason}: ${JSON.stringify(source.trim())}`;
}
