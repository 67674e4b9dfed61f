import { HOUR_MS } from '@ilot/domain';
/**
 * Turns two real homes of the Open Power System Data household data (Konstanz, hourly cumulative kWh counters,
 * CC BY 4.0: `power_of_residential_{n}.csv`) into the `ilot simulate --history` format (`ts,device,powerW`, UTC
 * interval starts), for `sites/konstanz-pair.yaml`: each home's consumption (grid import + PV - grid export) as its
 * meter, its PV as a pv. Conversion at the edge: counter differences, the hour before a counter reading as the
 * interval that starts an hour earlier. The folder of the CSV files is given (`ILOT_HOUSEHOLDS_DIR` or the first
 * argument); `test/fixtures/opsd-konstanz/` ships four days of homes 3 and 4.
 * Usage: node dist/scripts/households-history.js DIR [FROM_ISO_DATE] [DAYS] > history.csv
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const HOMES: Array<{ home: number; meter: string; pv: string }> = [
  { home: 3, meter: 'm-home-3', pv: 'pv-home-3' },
  { home: 4, meter: 'm-home-4', pv: 'pv-home-4' },
];

/**
 * Hourly energy per column, W (mean power of the hour starting at the key), from a home's cumulative counters; a column
 * the home does not have gives an empty series.
 */
export function hourly(dir: string, home: number, suffixes: string[]): Map<string, Map<number, number>> {
  const [header, ...rows] = readFileSync(join(dir, `power_of_residential_${home}.csv`), 'utf8')
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

/** The history CSV of the two homes of `dir` over `days` from `fromDate` (YYYY-MM-DD, UTC). */
export function householdsHistoryCsv(dir: string, fromDate: string, days: number): string {
  const from = Date.parse(`${fromDate}T00:00:00Z`);
  const lines = ['ts,device,powerW'];
  const homes = HOMES.map((h) => ({ ...h, series: hourly(dir, h.home, ['grid_import', 'grid_export', 'pv']) }));
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

if (require.main === module) {
  const [dir, from = '2016-05-02', days = '15'] = process.argv.slice(2);
  if (!dir) {
    process.stderr.write(
      'usage: households-history.js DIR [FROM_ISO_DATE] [DAYS] (DIR: the OPSD household CSV files)\n',
    );
    process.exit(2);
  }
  process.stdout.write(householdsHistoryCsv(dir, from, Number(days)));
}
