/**
 * Where the oracle's gap to the perfect-foresight bound goes (issue 27 §2): the demo îlot on Elia's measured PV, the
 * four weeks of bench:value's rule, the oracle-forecast strategy planned several ways. Experiment, not a benchmark.
 * node dist/scripts/experiment-oracle-gap.js ../shared/data/pv-forecasts/elia-belgium-2019-15min.csv
 */
import { loadSolver } from '@ilot/optimiser';
import { loadSiteFile } from '@ilot/site';
import { type OracleKnowledge, ProfileTable, replay, type ReplayKpis, type ReplayOptions } from '@ilot/simulators';
import { dayAheadIssues, readElia, ruleWeeks } from './bench-value-issued';
import { devicesOfKind } from '@ilot/site';
import type { IssuedPvForecast } from '@ilot/forecasting';

async function main() {
  const site = loadSiteFile(process.env.BENCH_SITE ?? 'sites/demo.yaml');
  const { measuredWPerKWp, dayAheadWPerWp } = readElia(process.argv[2]);
  const peakW = devicesOfKind(site, 'pv').reduce((sum, pv) => sum + pv.peakW, 0);
  const profiles = ProfileTable.load().withColumn('pvWPerKWp', measuredWPerKWp);
  const solver = await loadSolver('highs');
  const variants: Array<[string, Partial<ReplayOptions>]> = (process.env.VARIANTS ?? 'base')
    .split(',')
    .map((name) => [name, variantOptions(name)]);
  const weeks = process.env.WEEKS ? process.env.WEEKS.split(',').map(Number) : [0, 1, 2, 3];
  for (const w of weeks) {
    const start = ruleWeeks(2019)[w];
    const base = { start, days: 7, solver, effacements: [] };
    const idle = replay(site, profiles, 'idle', base);
    const bound = replay(site, profiles, 'perfect-foresight', base);
    const saving = idle.costNetOfStorageEur - bound.costNetOfStorageEur;
    const line = (name: string, k: ReplayKpis) =>
      `${start.toISOString().slice(0, 10)} ${name.padEnd(22)} cost ${k.costNetOfStorageEur.toFixed(2).padStart(8)} share ${(
        (100 * (idle.costNetOfStorageEur - k.costNetOfStorageEur)) /
        saving
      ).toFixed(
        1,
      )} % energy ${k.energyCostEur.toFixed(2)} overrun ${k.overrunCostEur.toFixed(2)} wear ${k.wearCostEur.toFixed(2)} imp ${k.importKWh.toFixed(0)} exp ${k.exportKWh.toFixed(0)} stored ${k.storedStartKWh.toFixed(1)}->${k.storedEndKWh.toFixed(1)} above ${k.importAboveLimitKWh.toFixed(2)} peak ${k.peakImportKW.toFixed(1)}`;
    console.log(line('idle', idle));
    console.log(line('perfect-foresight', bound));
    if (process.env.DAILY) console.log(`  daily EUR/stored/moved: ${daily(bound).join(' | ')}`);
    if (process.env.SHED) console.log(`  ${sheddable(idle)}\n  ${sheddable(bound)} (bound)`);
    for (const [name, options] of variants) {
      const started = Date.now();
      const issued: IssuedPvForecast[] = dayAheadIssues(
        dayAheadWPerWp,
        peakW,
        start.getTime() - 8 * 86_400_000,
        start.getTime() + 8 * 86_400_000,
      );
      const strategy = name.startsWith('issued') || name.startsWith('own') ? 'optimised' : 'oracle-forecast';
      // ...+blind: the sheddable loads do not tell the planner what they owe (ReplayOptions.owedUnreported).
      const blind = name.endsWith('+blind');
      // ...+scen: the plans weigh the PV forecast's quantiles (ReplayOptions.pvScenarios).
      const scenarios = name.endsWith('+scen');
      const k = replay(site, profiles, strategy, {
        ...base,
        ...options,
        ...(name.includes('issued') ? { issuedPvForecasts: issued } : {}),
        // oracle:pv, oracle:load (+issued: the PV it is not told comes from the issued forecast).
        ...(name.startsWith('oracle:') ? { oracleKnows: oracleKnowledge(name) } : {}),
        ...(blind ? { owedUnreported: true } : {}),
        ...(scenarios ? { pvScenarios: true } : {}),
      });
      console.log(`${line(name, k)} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
      if (process.env.DAILY) console.log(`  daily EUR/stored/moved: ${daily(k).join(' | ')}`);
      if (process.env.SHED) console.log(`  ${sheddable(k)}`);
    }
  }
}

/** The demo tariff's price of a slot's marginal energy: import (HC 22-06 Paris 0.2068, HP 0.27) or feed-in 0.10. */
function marginalEurPerKWh(slot: { startMs: number; gridW: number }): number {
  const hour = (new Date(slot.startMs).getUTCHours() + 2) % 24;
  return slot.gridW > 0 ? (hour >= 22 || hour < 6 ? 0.2068 : 0.27) : 0.1;
}

/**
 * The sheddable loads over the week: their energy, what it cost at each slot's marginal price (import or feed-in), and
 * the energy they were denied (shed) in all.
 */
function sheddable(k: ReplayKpis): string {
  let kWh = 0;
  let eur = 0;
  for (const slot of k.trace) {
    kWh += (slot.sheddableW / 1000) * 0.25;
    eur += (slot.sheddableW / 1000) * 0.25 * marginalEurPerKWh(slot);
  }
  return `sheddable loads ${kWh.toFixed(1)} kWh costing ${eur.toFixed(2)} EUR (${((100 * eur) / kWh).toFixed(2)} c/kWh), shed ${(k.trace.at(-1)?.shedKWh ?? 0).toFixed(1)} kWh`;
}

/**
 * Each day's grid cost (demo tariff: HC 22-06 Paris 0.2068, HP 0.27, feed-in 0.10), the energy stored at its end and the
 * day's battery movement (the sum of each slot's change of stored energy, kWh: what the wear is counted on, roughly).
 */
function daily(k: ReplayKpis): string[] {
  const days = new Map<number, { eur: number; storedKWh: number; movedKWh: number }>();
  let previousKWh = k.storedStartKWh;
  for (const slot of k.trace) {
    const day = Math.floor(slot.startMs / 86_400_000);
    const hour = (new Date(slot.startMs).getUTCHours() + 2) % 24;
    const price = slot.gridW > 0 ? (hour >= 22 || hour < 6 ? 0.2068 : 0.27) : 0.1;
    const entry = days.get(day) ?? { eur: 0, storedKWh: 0, movedKWh: 0 };
    entry.eur += (slot.gridW / 1000) * 0.25 * price;
    entry.movedKWh += Math.abs(slot.storedKWh - previousKWh);
    previousKWh = slot.storedKWh;
    entry.storedKWh = slot.storedKWh;
    days.set(day, entry);
  }
  return [...days.values()].map((d) => `${d.eur.toFixed(1)}/${d.storedKWh.toFixed(0)}/${d.movedKWh.toFixed(0)}`);
}

function oracleKnowledge(name: string): OracleKnowledge[] {
  return name
    .slice('oracle:'.length)
    .split('+')
    .filter((part): part is OracleKnowledge => part === 'pv' || part === 'load' || part === 'sheddable');
}

function variantOptions(name: string): Partial<ReplayOptions> {
  switch (name) {
    default:
      if (name.startsWith('oracle')) return {};
      throw new Error(`unknown variant ${name}`);
    case 'base':
    case 'issued':
    case 'own':
    case 'issued+scen':
    case 'own+scen':
    case 'issued+blind':
    case 'own+blind':
      return {};
    case 'slot5':
      return { slotMinutes: 5, horizonSlots: 288 };
    case 'h48':
      return { horizonSlots: 192 };
    case 'replan15':
      return { replanMinutes: 15 };
  }
}

void main();
