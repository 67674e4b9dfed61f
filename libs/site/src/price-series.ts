import { DAY_MS } from '@ilot/domain';
/** A dynamic tariff's prices: each point holds from its instant until the next one. */
export interface PricePoint {
  atMs: number;
  importEurPerKWh: number;
  /** Absent: the tariff's feed-in price. */
  exportEurPerKWh?: number;
}

/**
 * Parses a price series CSV (header `ts,importEurPerKWh[,exportEurPerKWh]`, ISO instants with a
 * zone, strictly increasing). Returns the points or the problems, each with its line number.
 */
export function parsePriceSeries(text: string): { points: PricePoint[]; problems: string[] } {
  const lines = text.split(/\r?\n/);
  const header = lines[0]?.split(',').map((h) => h.trim());
  const withExport = header?.length === 3 && header[2] === 'exportEurPerKWh';
  if (header?.[0] !== 'ts' || header[1] !== 'importEurPerKWh' || !(header.length === 2 || withExport))
    return {
      points: [],
      problems: ['line 1: header must be "ts,importEurPerKWh" or "ts,importEurPerKWh,exportEurPerKWh"'],
    };
  const points: PricePoint[] = [];
  const problems: string[] = [];
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '') return;
    const lineNo = i + 2;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== header.length)
      return problems.push(`line ${lineNo}: ${cells.length} fields, expected ${header.length}`);
    const atMs = /(Z|[+-]\d{2}:\d{2})$/.test(cells[0]) ? Date.parse(cells[0]) : NaN;
    if (Number.isNaN(atMs))
      return problems.push(`line ${lineNo}: "${cells[0]}" is not an ISO 8601 instant with a zone`);
    const prices = cells.slice(1).map((c) => (c === '' ? NaN : Number(c)));
    if (prices.some((p) => !Number.isFinite(p)))
      return problems.push(`line ${lineNo}: prices must be finite numbers (EUR/kWh)`);
    if (points.length && atMs <= points[points.length - 1].atMs)
      return problems.push(`line ${lineNo}: ${cells[0]} is not after the previous instant`);
    points.push({ atMs, importEurPerKWh: prices[0], ...(withExport ? { exportEurPerKWh: prices[1] } : {}) });
  });
  if (points.length === 0 && problems.length === 0) problems.push('no prices');
  return { points, problems };
}

/**
 * The point in force at `atMs`: the last one at or before it. Past the end of the series (day-ahead
 * prices cover tomorrow at best), the same time of the latest day the series covers is used.
 */
export function pricePointAt(points: readonly PricePoint[], atMs: number): PricePoint | undefined {
  if (points.length === 0 || atMs < points[0].atMs) return undefined;
  const lastMs = points[points.length - 1].atMs;
  let at = atMs;
  // The last point holds for one hour; beyond that, step back whole days into the series.
  while (at > lastMs + 3_600_000) at -= DAY_MS;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (points[mid].atMs <= at) lo = mid;
    else hi = mid - 1;
  }
  return points[lo].atMs <= at ? points[lo] : undefined;
}
