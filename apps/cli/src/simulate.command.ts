import { DAY_MS, HISTORY_DAYS, SETTLEMENT_STEP_MS } from '@ilot/domain';
import { type IssuedPvForecast, parseIssuedPvForecasts } from '@ilot/forecasting';
import { loadSolver, SOLVER_NAMES, type SolverName } from '@ilot/optimiser';
import { devicesOfKind, loadSiteFile, type Site, siteWarnings } from '@ilot/site';
import {
  BatteryStrategy,
  EffacementOrder,
  type MeasuredHistory,
  ProfileTable,
  replay,
  ReplayKpis,
} from '@ilot/simulators';
import { contractedImportW, subscriptionCostEur, type TempoColour } from '@ilot/tariffs';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { required, UsageError } from './args';
import { readHistory } from './history-option';
import { tempoColoursOf } from './tempo-option';
import { batteryValueLines } from './battery-value';
import { replayPicture } from './replay-picture';

const STRATEGIES: BatteryStrategy[] = [
  'optimised',
  'oracle-forecast',
  'self-consumption',
  'idle',
  'no-battery',
  'perfect-foresight',
];

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

/** What `ilot simulate` was asked, checked: each mistake refused with its option named. */
export interface SimulateRequest {
  site: Site;
  days: number;
  outDir: string;
  start: Date;
  initialSocPct?: number;
  solverName: SolverName;
  effacements: EffacementOrder[];
  /** `--history`: the operator's measured data and the planner's history days; else the shipped profiles. */
  measured?: { history: MeasuredHistory; warmUpDays: number; path: string; warnings: string[] };
  /** `--pv-forecast`: PV forecasts as they were issued, planned with as they came out (issue 27). */
  issuedPv?: { issues: IssuedPvForecast[]; path: string };
  /** Profiles to replay instead of the shipped ones (bench:value's measured PV); not a command-line option. */
  profiles?: ProfileTable;
  /**
   * A Tempo tariff's colours for the replayed dates (issue 27 §6): from `--tempo-calendar` where it has them, drawn by
   * the published rules (seeded, `--tempo-seed`) for the others; `said` tells the operator which.
   */
  tempo?: { colours: Map<string, TempoColour>; said: string };
  /** `--battery-capex-eur-per-kwh`: what a kWh of battery costs installed, for the payback. */
  batteryCapexEurPerKWh?: number;
}

export function simulateRequest(options: Map<string, string[]>): SimulateRequest {
  const site = withSubscription(loadSiteFile(required(options, 'site')), options.get('subscribed-power')?.[0]);
  const outDir = required(options, 'out');
  const historyPath = options.get('history')?.[0];
  const measured = historyPath
    ? readHistory(site, historyPath, options.get('start')?.[0], options.get('days')?.[0])
    : undefined;
  const days = measured?.days ?? Number(required(options, 'days'));
  if (!Number.isFinite(days) || days <= 0 || days > 366)
    throw new UsageError('--days must be a number of days between 0 and 366');
  const start = measured?.start ?? new Date(options.get('start')?.[0] ?? '2026-01-12T00:00:00Z');
  if (Number.isNaN(start.getTime()) || start.getTime() % SETTLEMENT_STEP_MS !== 0)
    throw new UsageError('--start must be an ISO instant on a quarter-hour');
  const initialSocPct = options.has('soc') ? Number(options.get('soc')![0]) : undefined;
  const solverName = (options.get('solver')?.[0] ?? 'highs') as SolverName;
  if (!SOLVER_NAMES.includes(solverName)) throw new UsageError(`--solver must be one of ${SOLVER_NAMES.join(', ')}`);
  const effacements = (options.get('effacement') ?? []).map(parseEffacementOption);
  const issuedPvPath = options.get('pv-forecast')?.[0];
  const issuedPv = issuedPvPath ? { issues: readIssuedPvForecasts(site, issuedPvPath), path: issuedPvPath } : undefined;
  const endMs = start.getTime() + days * DAY_MS;
  const tempo = tempoColoursOf(site, options, start, endMs, measured?.warmUpDays ?? HISTORY_DAYS);
  const capexText = options.get('battery-capex-eur-per-kwh')?.[0];
  const batteryCapexEurPerKWh = capexText === undefined ? undefined : Number(capexText);
  if (batteryCapexEurPerKWh !== undefined && !(batteryCapexEurPerKWh >= 0))
    throw new UsageError('--battery-capex-eur-per-kwh must be a price of 0 or more, EUR per kWh');
  for (const order of effacements)
    if (order.start.getTime() < start.getTime() || order.end.getTime() > endMs)
      throw new UsageError(`--effacement ${order.id}: must lie within the replay`);
  return {
    site,
    days,
    outDir,
    start,
    initialSocPct,
    solverName,
    effacements,
    ...(issuedPv ? { issuedPv } : {}),
    ...(tempo ? { tempo } : {}),
    ...(batteryCapexEurPerKWh !== undefined ? { batteryCapexEurPerKWh } : {}),
    ...(measured && historyPath
      ? {
          measured: {
            history: measured.history,
            warmUpDays: measured.warmUpDays,
            path: historyPath,
            warnings: measured.warnings,
          },
        }
      : {}),
  };
}

/** `--pv-forecast FILE`: the issues it holds, or a usage error naming each bad row (its line and field). */
function readIssuedPvForecasts(site: Site, path: string): IssuedPvForecast[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--pv-forecast ${path}: ${(error as Error).message}`);
  }
  const parsed = parseIssuedPvForecasts(
    text,
    devicesOfKind(site, 'pv').map((d) => d.id),
  );
  if (!parsed.ok) throw new UsageError(`--pv-forecast ${path}:\n${parsed.problems.map((p) => `  ${p}`).join('\n')}`);
  if (parsed.issues.length === 0) throw new UsageError(`--pv-forecast ${path}: no forecast in it`);
  return parsed.issues;
}

/** Every strategy replayed over the request's period, each with its share of the perfect-foresight saving. */
export async function replayStrategies(
  request: Omit<SimulateRequest, 'outDir'>,
  progress?: (doneShare: number, strategy: string) => void,
): Promise<Array<ReplayKpis & ForesightShare>> {
  const { site, days, start, initialSocPct, solverName, effacements, measured, issuedPv, tempo } = request;
  const solver = await loadSolver(solverName);
  const source = measured?.history ?? request.profiles ?? ProfileTable.load();
  const warmUpDays = measured?.warmUpDays;
  // Every strategy is measured against the orders; only the optimised one answers them.
  // The perfect-foresight bound is one LP over the whole period (2016 slots a week): HiGHS only.
  const strategies = STRATEGIES.filter(
    (s) =>
      (s !== 'perfect-foresight' || solverName === 'highs') &&
      (s !== 'no-battery' || devicesOfKind(site, 'battery').length > 0),
  );
  const replayed = strategies.map((strategy, i) =>
    replay(site, source, strategy, {
      start,
      days,
      initialSocPct,
      solver,
      effacements,
      warmUpDays,
      ...(issuedPv ? { issuedPvForecasts: issuedPv.issues } : {}),
      ...(tempo ? { tempoColours: tempo.colours } : {}),
      onProgress: progress && ((done) => progress((i + done) / strategies.length, strategy)),
    }),
  );
  progress?.(1, 'done');
  return replayed.map((k) => ({ ...k, ...foresightShare(k, replayed) }));
}

/**
 * `ilot simulate --site FILE --days N --out DIR [--start ISO] [--soc PCT] [--solver highs|javascript-lp-solver]
 * [--effacement ID,START,END,REDUCTION_W]... [--subscribed-power KVA]`: closed-loop replay, KPIs side by side, in
 * `kpis.json`, per slot in `trace.csv` and as a picture (`replay.html`).
 */
export async function simulateCommand(
  options: Map<string, string[]>,
  log: (line: string) => void,
): Promise<ReplayKpis[]> {
  const request = simulateRequest(options);
  const { site, days, start, outDir } = request;
  const results = await replayStrategies(request, process.stderr.isTTY ? progressBar : undefined);
  writeKpis(outDir, { site: site.id, start: start.toISOString(), days, results });
  writeFileSync(join(outDir, 'trace.csv'), traceCsv(results));
  const title = `${site.name}: ${days} day(s) from ${start.toISOString()}`;
  const capacityKWh = devicesOfKind(site, 'battery').reduce((sum, b) => sum + b.capacityWh, 0) / 1000;
  writeFileSync(
    join(outDir, 'replay.html'),
    replayPicture(title, results, (ms) => contractedImportW(new Date(ms), site), capacityKWh),
  );
  log(whatIsReplayed(request));
  if (request.tempo) log(request.tempo.said);
  for (const warning of [...siteWarnings(site), ...(request.measured?.warnings ?? [])]) log(`warning: ${warning}`);
  for (const line of kpiTable(site, days, start, results)) log(line);
  for (const warning of boundWarnings(results)) log(`warning: ${warning}`);
  for (const line of batteryValueLines(site, days, results, request.batteryCapexEurPerKWh)) log(line);
  log(`written: ${['kpis.json', 'trace.csv', 'replay.html'].map((f) => join(outDir, f)).join(', ')}`);
  return results;
}

/** A progress bar on a terminal (stderr), redrawn in place; cleared when done. */
function progressBar(doneShare: number, strategy: string): void {
  const width = 30;
  const filled = Math.round(doneShare * width);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(doneShare * 100).toFixed(0).padStart(3)} % ${strategy}`;
  process.stderr.write(doneShare >= 1 ? `\r${' '.repeat(bar.length + 20)}\r` : `\r${bar.padEnd(width + 30)}`);
}

/** What the replay runs on, said plainly: the operator's data, or the shipped profiles and whose weather they carry. */
export function whatIsReplayed({ site, measured }: Pick<SimulateRequest, 'site' | 'measured'>): string {
  if (measured)
    return `replays ${measured.path}: ${measured.history.devices().length} series, a ${measured.history.stepMs / 60_000}-minute step; the planner starts with ${measured.warmUpDays} day(s) of it as history`;
  const at = site.location ? ` (the site is at ${site.location.latitudeDeg}, ${site.location.longitudeDeg})` : '';
  return `replays the shipped profiles: VDI and measured building loads, PV from Paris 2019 weather whatever the site's location${at}; the planner starts with 7 days of history`;
}

/** The KPIs of every strategy side by side, as lines of a table. */
export function kpiTable(
  site: Site,
  days: number,
  start: Date,
  results: ReadonlyArray<ReplayKpis & ForesightShare>,
): string[] {
  const rows: Array<[string, (k: ReplayKpis & ForesightShare) => string]> = [
    ['energy cost (EUR)', (k) => k.energyCostEur.toFixed(2)],
    ['overrun cost (EUR)', (k) => k.overrunCostEur.toFixed(2)],
    ['battery wear (EUR)', (k) => k.wearCostEur.toFixed(2)],
    [
      'subscription, pro rata (EUR)',
      () => (site.connection.capacity ? subscriptionCostEur(site.connection.capacity, days) : 0).toFixed(2),
    ],
    ['cost net of storage, with overruns and wear (EUR)', (k) => k.costNetOfStorageEur.toFixed(2)],
    [
      'share of the foresight saving',
      (k) =>
        k.belowBoundEur !== undefined
          ? 'below bound!'
          : k.perfectForesightSavingShare === undefined
            ? '-'
            : `${(k.perfectForesightSavingShare * 100).toFixed(0)} %`,
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
    ['EVs owed at end / short (kWh)', (k) => `${k.evEnergyOwedKWh.toFixed(1)} / ${k.evShortfallKWh.toFixed(1)}`],
    ['plans (mean ms)', (k) => (k.plans ? `${k.plans} (${k.meanPlanMs.toFixed(0)})` : '-')],
  ];
  return [
    `${site.name}: ${days} day(s) from ${start.toISOString()}, battery strategies side by side`,
    ['', ...results.map((k) => k.strategy)].map((c, i) => (i === 0 ? c.padEnd(50) : c.padStart(18))).join(''),
    ...rows.map(([label, format]) => [label.padEnd(50), ...results.map((k) => format(k).padStart(18))].join('')),
  ];
}

/**
 * `--subscribed-power KVA`: the what-if of another subscription, the same in every time class (the LP holds it, the
 * KPIs count its overruns and its fixed cost). Needs the site's capacity tariff (its prices and overrun rule).
 */
export function withSubscription(site: Site, text: string | undefined): Site {
  if (text === undefined) return site;
  const kVA = Number(text);
  const capacity = site.connection.capacity;
  if (!capacity)
    throw new UsageError('--subscribed-power: the site has no capacity tariff (connection.capacity) to price it with');
  if (!Number.isFinite(kVA) || kVA <= 0) throw new UsageError('--subscribed-power must be a positive power, kVA');
  if (kVA * capacity.powerFactor * 1000 > site.connection.importLimitW)
    throw new UsageError(
      `--subscribed-power ${kVA} kVA is ${(kVA * capacity.powerFactor).toFixed(1)} kW, above the connection's importLimitW`,
    );
  const subscribedKVA = { HPH: kVA, HCH: kVA, HPB: kVA, HCB: kVA };
  return { ...site, connection: { ...site.connection, capacity: { ...capacity, subscribedKVA } } };
}

/**
 * Every strategy's slots, one row each (`strategy,ts,gridW,storedKWh,sheddableW,shedKWh`): the figures behind the
 * picture, and what the sheddable loads drew and were denied (cumulative).
 */
export function traceCsv(results: readonly Pick<ReplayKpis, 'strategy' | 'trace'>[]): string {
  const rows = results.flatMap((r) =>
    r.trace.map((s) =>
      [
        r.strategy,
        new Date(s.startMs).toISOString(),
        s.gridW.toFixed(0),
        s.storedKWh.toFixed(3),
        s.sheddableW.toFixed(0),
        s.shedKWh.toFixed(3),
      ].join(','),
    ),
  );
  return ['strategy,ts,gridW,storedKWh,sheddableW,shedKWh', ...rows].join('\n') + '\n';
}

/** `kpis.json` in `outDir`: the KPIs of every strategy, without the per-slot trace (the picture has it). */
function writeKpis(outDir: string, report: { site: string; start: string; days: number; results: ReplayKpis[] }): void {
  mkdirSync(outDir, { recursive: true });
  const results = report.results.map(({ trace: _trace, ...kpis }) => kpis);
  writeFileSync(join(outDir, 'kpis.json'), JSON.stringify({ ...report, results }, null, 2) + '\n');
}

/** A strategy's share of the foresight saving, or by how much it beat the bound (then no share: the bound is wrong). */
export interface ForesightShare {
  perfectForesightSavingShare?: number;
  /** EUR the strategy's cost net of storage came under the perfect-foresight bound's: a bug the replay reports. */
  belowBoundEur?: number;
}

/** Cents: a strategy this close to the bound is at it, not below it. */
export const BOUND_TOLERANCE_EUR = 0.01;

/**
 * For every strategy but the bound: whether it came under the perfect-foresight bound (issue 27 §6: a bound beaten is a
 * bug, said so, never a share above 100 %); for the optimised and oracle-forecast strategies, the share of the
 * foresight saving against an idle battery it captures, on the cost net of stored energy with overruns
 * ((idle - strategy) / (idle - perfect foresight)).
 */
export function foresightShare(k: ReplayKpis, all: readonly ReplayKpis[]): ForesightShare {
  const idle = all.find((r) => r.strategy === 'idle');
  const bound = all.find((r) => r.strategy === 'perfect-foresight');
  if (!bound || k.strategy === 'perfect-foresight') return {};
  const belowEur = bound.costNetOfStorageEur - k.costNetOfStorageEur;
  if (belowEur > BOUND_TOLERANCE_EUR) return { belowBoundEur: belowEur };
  if ((k.strategy !== 'optimised' && k.strategy !== 'oracle-forecast') || !idle) return {};
  const boundSaving = idle.costNetOfStorageEur - bound.costNetOfStorageEur;
  return boundSaving > 0
    ? { perfectForesightSavingShare: Math.min((idle.costNetOfStorageEur - k.costNetOfStorageEur) / boundSaving, 1) }
    : {};
}

/** What the replay says of each strategy that beat its bound: the bound is then no bound (a bug to report). */
export function boundWarnings(results: ReadonlyArray<ReplayKpis & ForesightShare>): string[] {
  return results.flatMap((k) =>
    k.belowBoundEur === undefined
      ? []
      : [
          `${k.strategy} cost ${k.belowBoundEur.toFixed(2)} EUR less than the perfect-foresight bound: the bound is not a bound on this replay (a bug; please report it with kpis.json), no share of the foresight saving is given`,
        ],
  );
}
