import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { loadSiteFile, parsePriceSeries, pricePointAt, SiteValidationError } from './index';

describe('parsePriceSeries', () => {
  it('reads import prices, and export prices when the column is there', () => {
    const parsed = parsePriceSeries(
      'ts,importEurPerKWh\n2026-05-10T00:00:00Z,0.12\n2026-05-10T03:00:00+02:00,-0.05\n2026-05-10T00:30:00+02:00,0.2\n',
    );
    expect(parsed.points).toEqual([
      { atMs: Date.parse('2026-05-10T00:00:00Z'), importEurPerKWh: 0.12 },
      { atMs: Date.parse('2026-05-10T01:00:00Z'), importEurPerKWh: -0.05 },
    ]);
    // 00:30+02:00 is 2026-05-09T22:30Z: before the points already read.
    expect(parsed.problems).toEqual(['line 4: 2026-05-10T00:30:00+02:00 is not after the previous instant']);
    expect(parsePriceSeries('ts,importEurPerKWh,exportEurPerKWh\n2026-05-10T00:00:00Z,0.12,0.04\n').points).toEqual([
      { atMs: Date.parse('2026-05-10T00:00:00Z'), importEurPerKWh: 0.12, exportEurPerKWh: 0.04 },
    ]);
  });

  it.each([
    ['price,ts\n', 'line 1: header must be "ts,importEurPerKWh" or "ts,importEurPerKWh,exportEurPerKWh"'],
    ['ts,importEurPerKWh\n2026-05-10 00:00,0.1\n', 'line 2: "2026-05-10 00:00" is not an ISO 8601 instant with a zone'],
    ['ts,importEurPerKWh\n2026-05-10T00:00:00Z,cheap\n', 'line 2: prices must be finite numbers (EUR/kWh)'],
    ['ts,importEurPerKWh\n', 'no prices'],
  ])('refuses %j: %s', (text, problem) => {
    expect(parsePriceSeries(text).problems).toEqual([problem]);
  });
});

describe('pricePointAt', () => {
  const hour = 3_600_000;
  const start = Date.parse('2026-05-10T00:00:00Z');
  const points = Array.from({ length: 24 }, (_, h) => ({ atMs: start + h * hour, importEurPerKWh: h / 100 }));

  it('takes the last point at or before the instant, none before the series', () => {
    expect(pricePointAt(points, start + 5.5 * hour)?.importEurPerKWh).toBe(0.05);
    expect(pricePointAt(points, start - 1)).toBeUndefined();
  });

  it('past the series, repeats the same time of its last day (day-ahead prices cover tomorrow at best)', () => {
    expect(pricePointAt(points, start + 24 * hour + 7.25 * hour)?.importEurPerKWh).toBe(0.07);
    expect(pricePointAt(points, start + 72 * hour + 13 * hour)?.importEurPerKWh).toBe(0.13);
  });
});

describe('loadSiteFile with a dynamic tariff', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ilot-dynamic-'));
  const demo = parse(readFileSync(join(__dirname, '..', '..', '..', 'sites', 'demo.yaml'), 'utf8'));
  const write = (series: string | undefined) => {
    const path = join(dir, 'site.yaml');
    writeFileSync(
      path,
      stringify({
        ...demo,
        // A capacity tariff needs HC hours, which a dynamic tariff does not have: the connection alone here.
        connection: { importLimitW: demo.connection.importLimitW, exportLimitW: demo.connection.exportLimitW },
        tariff: { kind: 'dynamic', seriesFile: 'prices.csv', feedInEurPerKWh: 0.06, peakEurPerKW: 8 },
      }),
    );
    if (series !== undefined) writeFileSync(join(dir, 'prices.csv'), series);
    return path;
  };

  it('reads the series file beside the site file', () => {
    const site = loadSiteFile(write('ts,importEurPerKWh\n2026-05-10T00:00:00Z,0.12\n2026-05-10T12:00:00Z,-0.03\n'));
    expect(site.priceSeries?.map((p) => p.importEurPerKWh)).toEqual([0.12, -0.03]);
  });

  it('names the series file and the line of a bad price', () => {
    expect(() => loadSiteFile(write('ts,importEurPerKWh\n2026-05-10T00:00:00Z,NaN\n'))).toThrow(SiteValidationError);
    expect(() => loadSiteFile(write('ts,importEurPerKWh\n2026-05-10T00:00:00Z,NaN\n'))).toThrow(
      'tariff.seriesFile prices.csv: line 2: prices must be finite numbers',
    );
  });
});
