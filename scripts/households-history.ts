/**
 * Turns two real homes of ../shared/data/households (OPSD, Konstanz, hourly cumulative kWh counters) into the
 * `ilot simulate --history` format (`ts,device,powerW`, UTC interval starts), for `sites/konstanz-pair.yaml`: each
 * home's consumption (grid import + PV - grid export) as its meter, its PV as a pv. Conversion at the edge: counter
 * differences, the hour before a counter reading as the interval that starts an hour earlier.
 * Usage: node dist/scripts/households-history.js [FROM_ISO_DATE] [DAYS] > history.csv
 */
import { repoPath } from '@ilot/simulators';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const HOUSEHOLDS_DIR =
  process.env.ILOT_HOUSEHOLDS_DIR ?? repoPath('..', 'shared', 'data', 'households', 'opsd-konstanz');
const HOUR_MS = 3_600_000;
const HOMES: Array<{ home: number; meter: string; pv: string }> = [
  { home: 3, meter: 'm-home-3', pv: 'pv-home-3' },
  { home: 4, meter: 'm-home-4', pv: 'pv-home-4' },
];

/**
 * Hourly energy per column, W (mean power of the hour starting at the key), from a home's cumulative counters; a column
 * the home does not have gives an empty series.
 */
export function hourly(home: number, suffixes: string[]): Map<string, Map<number, number>> {
  const [header, ...rows] = readFileSync(join(HOUSEHOLDS_DIR, `power_of_residential_${home}.csv`), 'utf8')
    .trim()
    .split('\n');
  const columns = header.split(',');
  const out = new Map<string, Map<number, number>>();
  for (const suffix of suffixes) {
    const index = columns.findIndex((c) => c.endsWith(`_${suffix}`));
    const series = new Map<number, number>();
    let previous: { atMs: number; kWh: number } | undefined;
    for (const row of rows) {
      const cells = row.split(',');
      const kWh = cells[index] === '' ? NaN : Number(cells[index]);
      const atMs = Date.parse(cells[0]);
      if (!Number.isFinite(kWh)) continue;
      if (previous && atMs - previous.atMs === HOUR_MS && kWh >= previous.kWh)
        series.set(atMs - HOUR_MS, (kWh - previous.kWh) * 1000);
      previous = { atMs, kWh };
    }
    out.set(suffix, series);
  }
  return out;
}

/** The history CSV of the two homes over `days` from `fromDate` (YYYY-MM-DD, UTC). */
export function householdsHistoryCsv(fromDate: string, days: number): string {
  const from = Date.parse(`${fromDate}T00:00:00Z`);
  const lines = ['ts,device,powerW'];
  const homes = HOMES.map((h) => ({ ...h, series: hourly(h.home, ['grid_import', 'grid_export', 'pv']) }));
  for (let t = from; t < from + days * 86_400_000; t += HOUR_MS)
    for (const { meter, pv, series } of homes) {
      const [imp, exp, sun] = ['grid_import', 'grid_export', 'pv'].map((s) => series.get(s)!.get(t));
      const ts = new Date(t).toISOString();
      // A missing hour stays missing: the replay refuses the gap with its instant rather than invent a value.
      if (imp !== undefined && exp !== undefined && sun !== undefined)
        lines.push(`${ts},${meter},${(imp + sun - exp).toFixed(1)}`);
      if (sun !== undefined) lines.push(`${ts},${pv},${sun.toFixed(1)}`);
    }
  return lines.join('\n') + '\n';
}

if (require.main === module)
  process.stdout.write(householdsHistoryCsv(process.argv[2] ?? '2016-05-02', Number(process.argv[3] ?? 15)));
