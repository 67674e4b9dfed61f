import { DAY_MS, SETTLEMENT_STEP_MS } from '@ilot/domain';
import { loadSolver, SOLVER_NAMES, type SolverName } from '@ilot/optimiser';
import { loadSiteFile } from '@ilot/site';
import { BatteryStrategy, EffacementOrder, ProfileTable, replay, ReplayKpis } from '@ilot/simulators';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { required, UsageError } from './args';

const STRATEGIES: BatteryStrategy[] = ['optimised', 'oracle-forecast', 'self-consumption', 'idle', 'perfect-foresight'];

/** `--effacement ID,START,END,REDUCTION_W`: an aggregator's order in the replay (quarter-hour instants, W > 0). */
export function parseEffacementOption(text: string): EffacementOrder {
  const parts = text.split(',');
  if (parts.length !== 4) throw new UsageError(`--effacement "${text}": expected ID,START,END,REDUCTION_W`);
  const [id, startText, endText, reductionText] = parts;
  if (!/^[A-Za-z0-9._:-]+$/.test(id))
    throw new UsageError(`--effacement "${text}": the id may hold letters, digits and . _ : - only`);
  const start = new Date(startText);
  const end = new Date(endText);
  for (const [name, at] of [
    ['START', start],
    ['END', end],
  ] as const)
    if (Number.isNaN(at.getTime()) || at.getTime() % SETTLEMENT_STEP_MS !== 0)
      throw new UsageError(`--effacement "${text}": ${name} must be an ISO instant on a quarter-hour`);
  if (end <= start) throw new UsageError(`--effacement "${text}": END must be after START`);
  const reductionW = Number(reductionText);
  if (!Number.isFinite(reductionW) || reductionW <= 0)
    throw new UsageError(`--effacement "${text}": REDUCTION_W must be a positive power, W`);
  return { id, start, end, reductionW };
}

/**
 * `ilot simulate --site FILE --days N --out DIR [--start ISO] [--soc PCT] [--solver highs|javascript-lp-solver]
 * [--effacement ID,START,END,REDUCTION_W]...`: closed-loop replay, KPIs side by side.
 */
export async function simulateCommand(
  options: Map<string, string[]>,
  log: (line: string) => void,
): Promise<ReplayKpis[]> {
  const site = loadSiteFile(required(options, 'site'));
  const days = Number(required(options, 'days'));
  if (!Number.isFinite(days) || days <= 0 || days > 366)
    throw new UsageError('--days must be a number of days between 0 and 366');
  const outDir = required(options, 'out');
  const start = new Date(options.get('start')?.[0] ?? '2026-01-12T00:00:00Z');
  if (Number.isNaN(start.getTime()) || start.getTime() % SETTLEMENT_STEP_MS !== 0)
    throw new UsageError('--start must be an ISO instant on a quarter-hour');
  const initialSocPct = options.has('soc') ? Number(options.get('soc')![0]) : undefined;
  const solverName = (options.get('solver')?.[0] ?? 'highs') as SolverName;
  if (!SOLVER_NAMES.includes(solverName)) throw new UsageError(`--solver must be one of ${SOLVER_NAMES.join(', ')}`);
  const solver = await loadSolver(solverName);
  const profiles = ProfileTable.load();
  const effacements = (options.get('effacement') ?? []).map(parseEffacementOption);
  const endMs = start.getTime() + days * DAY_MS;
  for (const order of effacements)
    if (order.start.getTime() < start.getTime() || order.end.getTime() > endMs)
      throw new UsageError(`--effacement ${order.id}: must lie within the replay`);
  // Every strategy is measured against the orders; only the optimised one answers them.
  // The perfect-foresight bound is one LP over the whole period (2016 slots a week): HiGHS only.
  const strategies = STRATEGIES.filter((s) => s !== 'perfect-foresight' || solverName === 'highs');
  const measured = strategies.map((strategy) =>
    replay(site, profiles, strategy, { start, days, initialSocPct, solver, effacements }),
  );
  const results = measured.map((k) => ({ ...k, ...foresightShare(k, measured) }));
  writeKpis(outDir, { site: site.id, start: start.toISOString(), days, results });
  const rows: Array<[string, (k: ReplayKpis & { perfectForesightSavingShare?: number }) => string]> = [
    ['cost (EUR)', (k) => k.costEur.toFixed(2)],
    ['cost net of stored energy (EUR)', (k) => k.costNetOfStorageEur.toFixed(2)],
    [
      'share of the foresight saving',
      (k) =>
        k.perfectForesightSavingShare === undefined ? '-' : `${(k.perfectForesightSavingShare * 100).toFixed(0)} %`,
    ],
    ['energy imported (kWh)', (k) => k.importKWh.toFixed(1)],
    ['energy exported (kWh)', (k) => k.exportKWh.toFixed(1)],
    ['PV produced (kWh)', (k) => k.pvKWh.toFixed(1)],
    ['consumption (kWh)', (k) => k.consumptionKWh.toFixed(1)],
    ['self-consumption rate', (k) => `${(k.selfConsumptionRatio * 100).toFixed(1)} %`],
    ['self-sufficiency', (k) => `${(k.selfSufficiencyRatio * 100).toFixed(1)} %`],
    ['peak import, 15 min (kW)', (k) => k.peakImportKW.toFixed(1)],
    ['import above the contract (kWh)', (k) => k.importAboveLimitKWh.toFixed(1)],
    ['battery energy start -> end (kWh)', (k) => `${k.storedStartKWh.toFixed(0)} -> ${k.storedEndKWh.toFixed(0)}`],
    ['effacement delivered (kWh)', (k) => k.effacementDeliveredKWh.toFixed(1)],
    ['plans (mean ms)', (k) => (k.plans ? `${k.plans} (${k.meanPlanMs.toFixed(0)})` : '-')],
  ];
  log(`${site.name}: ${days} day(s) from ${start.toISOString()}, battery strategies side by side`);
  log(['', ...strategies].map((c, i) => (i === 0 ? c.padEnd(34) : c.padStart(18))).join(''));
  for (const [label, format] of rows) log([label.padEnd(34), ...results.map((k) => format(k).padStart(18))].join(''));
  log(`written: ${join(outDir, 'kpis.json')}`);
  return results;
}

/** `kpis.json` in `outDir`: the KPIs of every strategy, without the per-slot trace (the picture has it). */
function writeKpis(outDir: string, report: { site: string; start: string; days: number; results: ReplayKpis[] }): void {
  mkdirSync(outDir, { recursive: true });
  const results = report.results.map(({ trace: _trace, ...kpis }) => kpis);
  writeFileSync(join(outDir, 'kpis.json'), JSON.stringify({ ...report, results }, null, 2) + '\n');
}

/**
 * For the optimised and oracle-forecast strategies: the share of the perfect-foresight saving against an idle battery it captures, on the
 * cost net of stored energy ((idle - optimised) / (idle - perfect foresight)); above 1 when the bound spent money to
 * hold the contracted power (its overrun is not priced in this cost).
 */
function foresightShare(k: ReplayKpis, all: readonly ReplayKpis[]): { perfectForesightSavingShare?: number } {
  const idle = all.find((r) => r.strategy === 'idle');
  const bound = all.find((r) => r.strategy === 'perfect-foresight');
  if ((k.strategy !== 'optimised' && k.strategy !== 'oracle-forecast') || !idle || !bound) return {};
  const boundSaving = idle.costNetOfStorageEur - bound.costNetOfStorageEur;
  return boundSaving > 0
    ? { perfectForesightSavingShare: (idle.costNetOfStorageEur - k.costNetOfStorageEur) / boundSaving }
    : {};
}
