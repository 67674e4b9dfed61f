/**
 * npm run bench:value: what the planner is worth in closed loop (issue 13). Replays the demo îlot (or BENCH_SITE) over
 * four weeks of the year (BENCH_WEEKS, ISO Mondays) with all five strategies (`ilot simulate`, one process per week,
 * as many at once as the machine has cores) and prints, per week and summed: the cost net of storage with overruns,
 * the share of the perfect-foresight saving captured, the 15-min peak, the energy above the contract and the overrun
 * cost; then each target of the issue, met or not, with its figures:
 *   - optimised costs less than self-consumption in every week;
 *   - optimised captures >= 95 % of the perfect-foresight saving against idle in every week;
 *   - optimised imports above the contract <= 10 % of what the rule does, every week;
 *   - optimised's peak <= max(rule's peak, perfect foresight's peak) + 5 %, every week.
 * Given the path of `../shared/data/pv-forecasts/elia-belgium-2019-15min.csv` (the first argument, or
 * BENCH_PV_FORECASTS), a second table: real PV and the forecasts as they were issued (scripts/bench-value-issued.ts).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { issuedForecastWeeks, type IssuedWeek } from './bench-value-issued';
import { BOUND_TOLERANCE_EUR, foresightShare } from '../apps/cli/src/simulate.command';
import type { ReplayKpis } from '@ilot/simulators';

const SITE = process.env.BENCH_SITE ?? 'sites/demo.yaml';
const WEEKS = (process.env.BENCH_WEEKS ?? '2026-01-12,2026-04-13,2026-06-15,2026-09-14').split(',');
const STRATEGY_ORDER = ['idle', 'self-consumption', 'optimised', 'oracle-forecast', 'perfect-foresight'] as const;

interface Kpis {
  strategy: string;
  costNetOfStorageEur: number;
  overrunCostEur: number;
  peakImportKW: number;
  importAboveLimitKWh: number;
  evShortfallKWh: number;
  perfectForesightSavingShare?: number;
}

function simulateWeek(start: string, outDir: string): Promise<Kpis[]> {
  return new Promise((resolve, reject) => {
    const args = ['dist/apps/cli/src/main.js', 'simulate', '--site', SITE, '--days', '7'];
    const child = spawn(process.execPath, [...args, '--start', `${start}T00:00:00Z`, '--out', outDir], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) =>
      code === 0
        ? resolve((JSON.parse(readFileSync(join(outDir, 'kpis.json'), 'utf8')) as { results: Kpis[] }).results)
        : reject(new Error(`simulate ${start} exited ${code}: ${stderr}`)),
    );
  });
}

async function inPool<T, R>(items: readonly T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await run(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(size, items.length) }, worker));
  return results;
}

const pct = (x: number | undefined) => (x === undefined ? '-' : `${(x * 100).toFixed(0)} %`);
const row = (cells: string[], widths: number[]) =>
  cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');

async function main(): Promise<void> {
  const issuedPath = process.argv[2] ?? process.env.BENCH_PV_FORECASTS;
  // BENCH_TABLE=issued: the second table alone.
  if (process.env.BENCH_TABLE === 'issued' && issuedPath) return printIssuedTable(issuedPath);
  const started = process.hrtime.bigint();
  const root = mkdtempSync(join(tmpdir(), 'ilot-bench-value-'));
  const weeks = await inPool(WEEKS, cpus().length, (week) => simulateWeek(week, join(root, week)));
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  const of = (results: Kpis[], strategy: string) => results.find((k) => k.strategy === strategy)!;
  const widths = [26, 10, 10, 10, 10, 10];
  console.log(
    `bench:value: ${SITE}, ${WEEKS.length} weeks x ${STRATEGY_ORDER.length} strategies in ${elapsedS.toFixed(0)} s (${cpus().length} at once)`,
  );
  console.log(row(['cost net of storage, EUR', 'idle', 'rule', 'optimised', 'oracle', 'foresight'], widths));
  const sums = STRATEGY_ORDER.map(() => 0);
  weeks.forEach((results, w) => {
    const costs = STRATEGY_ORDER.map((s) => of(results, s).costNetOfStorageEur);
    costs.forEach((c, i) => (sums[i] += c));
    console.log(row([WEEKS[w], ...costs.map((c) => c.toFixed(2))], widths));
  });
  console.log(row(['sum', ...sums.map((c) => c.toFixed(2))], widths));
  for (const [title, format] of [
    ['peak 15 min, kW', (k: Kpis) => k.peakImportKW.toFixed(1)],
    ['above contract, kWh', (k: Kpis) => k.importAboveLimitKWh.toFixed(1)],
    ['overrun cost, EUR', (k: Kpis) => k.overrunCostEur.toFixed(2)],
    ['EVs short at departure, kWh', (k: Kpis) => k.evShortfallKWh.toFixed(1)],
  ] as const) {
    console.log(row([title, 'idle', 'rule', 'optimised', 'oracle', 'foresight'], widths));
    weeks.forEach((results, w) =>
      console.log(row([WEEKS[w], ...STRATEGY_ORDER.map((s) => format(of(results, s)))], widths)),
    );
  }
  const sumShare = (sums[0] - sums[2]) / (sums[0] - sums[4]);
  console.log(row(['share of foresight saving', ...WEEKS, 'sum'], [26, 12, 12, 12, 12, 8]));
  console.log(
    row(
      ['optimised', ...weeks.map((r) => pct(of(r, 'optimised').perfectForesightSavingShare)), pct(sumShare)],
      [26, 12, 12, 12, 12, 8],
    ),
  );
  console.log(
    row(
      ['oracle-forecast', ...weeks.map((r) => pct(of(r, 'oracle-forecast').perfectForesightSavingShare)), '-'],
      [26, 12, 12, 12, 12, 8],
    ),
  );
  printTargets(weeks, WEEKS);
  console.log(`kpis.json of each week: ${root}`);
  if (issuedPath) await printIssuedTable(issuedPath);
  else console.log('second table (real PV, forecasts as issued): give the path of elia-belgium-2019-15min.csv');
}

/** The second table: the demo on Elia's measured PV, planning with its day-ahead forecasts as they were issued. */
async function printIssuedTable(path: string): Promise<void> {
  const started = process.hrtime.bigint();
  const weeks: IssuedWeek[] = await issuedForecastWeeks(SITE, path);
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  const labels = weeks.map((w) => w.week);
  console.log(
    `\nbench:value, issued forecasts: ${SITE}, PV measured by Elia (Belgium 2019, a regional aggregate: smoother than` +
      ` one roof), day-ahead issued D-1 10:00 UTC; ${weeks.length} weeks in ${elapsedS.toFixed(0)} s`,
  );
  const widths = [26, 10, 10, 10, 10, 10, 10];
  const of = issuedResult;
  const columns = ['idle', 'rule', 'issued', 'own fcst', 'oracle', 'foresight'];
  const cells = (w: IssuedWeek, f: (k: Kpis) => string) => [
    f(of(w, 'idle')),
    f(of(w, 'self-consumption')),
    f(of(w, 'optimised')),
    f(w.ownForecast),
    f(of(w, 'oracle-forecast')),
    f(of(w, 'perfect-foresight')),
  ];
  for (const [title, format] of [
    ['cost net of storage, EUR', (k: Kpis) => k.costNetOfStorageEur.toFixed(2)],
    ['peak 15 min, kW', (k: Kpis) => k.peakImportKW.toFixed(1)],
    ['above contract, kWh', (k: Kpis) => k.importAboveLimitKWh.toFixed(1)],
  ] as const) {
    console.log(row([title, ...columns], widths));
    for (const w of weeks) console.log(row([w.week, ...cells(w, format)], widths));
  }
  // The replay's own share (none below the bound: '-', and the target below says so).
  const share = (w: IssuedWeek, k: ReplayKpis) => foresightShare(k, w.results).perfectForesightSavingShare;
  console.log(row(['share of foresight saving', ...labels], [26, 12, 12, 12, 12]));
  console.log(row(['optimised, issued', ...weeks.map((w) => pct(share(w, of(w, 'optimised'))))], [26, 12, 12, 12, 12]));
  console.log(
    row(['optimised, own forecast', ...weeks.map((w) => pct(share(w, w.ownForecast)))], [26, 12, 12, 12, 12]),
  );
  console.log(
    row(['oracle-forecast', ...weeks.map((w) => pct(share(w, of(w, 'oracle-forecast'))))], [26, 12, 12, 12, 12]),
  );
  console.log(
    row(['oracle told the load only', ...weeks.map((w) => pct(share(w, w.oracleLoadOnly)))], [26, 12, 12, 12, 12]),
  );
  printForecastLosses(weeks, share);
  const slots = weeks.map((w) => of(w, 'optimised').pvSlots);
  console.log(
    `PV slots planned from the issues / own: ${slots.map((s) => `${s?.issued ?? 0}/${s?.own ?? 0}`).join(', ')}`,
  );
  // The loop on its own forecast is held to the bound too.
  printTargets(
    weeks.map((w) => [...w.results, { ...w.ownForecast, strategy: 'optimised, own forecast' }]),
    labels,
  );
}

/** A strategy's KPIs in an issued week. */
const issuedResult = (w: IssuedWeek, strategy: string) => w.results.find((k) => k.strategy === strategy)!;

/** From the issued loop to the oracle: the points of the foresight saving the consumption's forecast loses, then the issued PV's. */
function printForecastLosses(
  weeks: readonly IssuedWeek[],
  share: (w: IssuedWeek, k: ReplayKpis) => number | undefined,
): void {
  const of = issuedResult;
  const points = (w: IssuedWeek, from: ReplayKpis, to: ReplayKpis) =>
    (((share(w, to) ?? 0) - (share(w, from) ?? 0)) * 100).toFixed(1);
  const losses = weeks.map(
    (w) =>
      `${points(w, of(w, 'optimised'), w.oracleLoadOnly)} / ${points(w, w.oracleLoadOnly, of(w, 'oracle-forecast'))}`,
  );
  console.log(`points lost to the load forecast / to the issued PV forecast: ${losses.join(', ')}`);
}

/** Each target of the issue, week by week: met or missed. */
function printTargets(weeks: Kpis[][], labels: readonly string[]): void {
  const of = (results: Kpis[], strategy: string) => results.find((k) => k.strategy === strategy)!;
  const targets: Array<[string, (r: Kpis[]) => boolean]> = [
    [
      'optimised < rule (cost net of storage, overruns, wear)',
      (r) => of(r, 'optimised').costNetOfStorageEur < of(r, 'self-consumption').costNetOfStorageEur,
    ],
    ['optimised >= 95 % of the foresight saving', (r) => (of(r, 'optimised').perfectForesightSavingShare ?? 0) >= 0.95],
    [
      "above contract <= 10 % of the rule's",
      (r) => of(r, 'optimised').importAboveLimitKWh <= 0.1 * of(r, 'self-consumption').importAboveLimitKWh + 1e-9,
    ],
    [
      'peak <= max(rule, foresight) + 5 %',
      (r) =>
        of(r, 'optimised').peakImportKW <=
        1.05 * Math.max(of(r, 'self-consumption').peakImportKW, of(r, 'perfect-foresight').peakImportKW),
    ],
    ['every car leaves with its energy (optimised)', (r) => of(r, 'optimised').evShortfallKWh < 0.1],
    [
      'no strategy below its bound',
      (r) =>
        r.every((k) => k.costNetOfStorageEur >= of(r, 'perfect-foresight').costNetOfStorageEur - BOUND_TOLERANCE_EUR),
    ],
  ];
  console.log('targets (per week):');
  for (const [name, met] of targets) {
    const verdicts = weeks.map((r, w) => `${labels[w]} ${met(r) ? 'met' : 'MISSED'}`);
    console.log(`  ${name.padEnd(54)} ${verdicts.join(', ')}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
