/**
 * bench:value's second table (issue 27 §2): the demo îlot on real PV and real issued forecasts. Each PV array sees
 * `measured / capacity x peakW` from a transmission operator's year of PV (`../shared/data/pv-forecasts/`, Elia,
 * Belgium 2019: a path given, never read by a test); the planner gets `day_ahead / capacity x peakW`, issued the day
 * before at 10:00 UTC (`ilot simulate --pv-forecast`'s meaning); the load comes from the shipped profiles. The weeks
 * are chosen by a rule, not by results: the second full week (Monday to Sunday) of January, April, July and October.
 * The file is of 2019, the shipped profiles' own year: a 2019 replay reads them slot for slot.
 */
import type { IssuedPvForecast } from '@ilot/forecasting';
import { loadSolver } from '@ilot/optimiser';
import { devicesOfKind, loadSiteFile, type Site } from '@ilot/site';
import { ProfileTable, replay, type ReplayKpis } from '@ilot/simulators';
import { readFileSync } from 'node:fs';
import { replayStrategies } from '../apps/cli/src/simulate.command';

export const ELIA_YEAR = 2019;
const YEAR = ELIA_YEAR;
const SLOT_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
const SLOTS = 35_040;

export interface IssuedWeek {
  week: string;
  /** The five strategies, `optimised` planning with the issued forecasts. */
  results: Array<ReplayKpis & { perfectForesightSavingShare?: number }>;
  /** The same loop with its own PV forecast (clear sky x clearness). */
  ownForecast: ReplayKpis;
  /** The oracle told the true consumption only, its PV from the issues: what the load forecast loses, beside the PV's. */
  oracleLoadOnly: ReplayKpis;
}

/** The second full week (Monday first) of January, April, July and October of `year`: their Mondays. */
export function ruleWeeks(year: number): Date[] {
  return [0, 3, 6, 9].map((month) => {
    const first = new Date(Date.UTC(year, month, 1));
    const toMonday = (8 - first.getUTCDay()) % 7;
    return new Date(first.getTime() + (toMonday + 7) * DAY_MS);
  });
}

/** The measured PV, W per kWp, slot by slot, and each day's day-ahead forecast, W per Wp (undefined where missing). */
export function readElia(path: string): { measuredWPerKWp: Float32Array; dayAheadWPerWp: Array<number | undefined> } {
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const column = (name: string) => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`${path}: no column ${name}`);
    return index;
  };
  const [ts, dayAhead, measured, capacity] = [
    'timestamp_utc',
    'day_ahead_forecast_mw',
    'measured_upscaled_mw',
    'monitored_capacity_mwp',
  ].map(column);
  const measuredWPerKWp = new Float32Array(SLOTS);
  const dayAheadWPerWp: Array<number | undefined> = new Array(SLOTS).fill(undefined);
  const yearStart = Date.UTC(YEAR, 0, 1);
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const slot = Math.round((Date.parse(cells[ts]) - yearStart) / SLOT_MS);
    const mwp = Number(cells[capacity]);
    if (slot < 0 || slot >= SLOTS || !(mwp > 0)) continue;
    if (cells[measured] !== '') measuredWPerKWp[slot] = (Math.max(Number(cells[measured]), 0) / mwp) * 1000;
    if (cells[dayAhead] !== '') dayAheadWPerWp[slot] = Math.max(Number(cells[dayAhead]), 0) / mwp;
  }
  return { measuredWPerKWp, dayAheadWPerWp };
}

/** Day D's day-ahead forecast for the whole site, issued on D-1 at 10:00 UTC, for each day of [fromMs, toMs). */
export function dayAheadIssues(dayAheadWPerWp: Array<number | undefined>, peakW: number, fromMs: number, toMs: number) {
  const issues: IssuedPvForecast[] = [];
  const yearStart = Date.UTC(YEAR, 0, 1);
  for (let day = fromMs; day < toMs; day += DAY_MS) {
    const points = Array.from({ length: 96 }, (_, k) => {
      const value = dayAheadWPerWp[Math.round((day - yearStart) / SLOT_MS) + k];
      return value === undefined ? [] : [{ deviceId: '', at: new Date(day + k * SLOT_MS), pvW: value * peakW }];
    }).flat();
    if (points.length) issues.push({ issuedAt: new Date(day - DAY_MS + 10 * 3_600_000), points });
  }
  return issues;
}

/** The four weeks of the rule, each replayed with every strategy and with the planner's own PV forecast. */
export async function issuedForecastWeeks(sitePath: string, eliaPath: string): Promise<IssuedWeek[]> {
  const site: Site = loadSiteFile(sitePath);
  const peakW = devicesOfKind(site, 'pv').reduce((sum, pv) => sum + pv.peakW, 0);
  const { measuredWPerKWp, dayAheadWPerWp } = readElia(eliaPath);
  const profiles = ProfileTable.load().withColumn('pvWPerKWp', measuredWPerKWp);
  const solver = await loadSolver('highs');
  const weeks: IssuedWeek[] = [];
  for (const start of ruleWeeks(YEAR)) {
    // From the warm-up on (7 days before the week): the calibration learns from the days the planner has measured.
    const issues = dayAheadIssues(dayAheadWPerWp, peakW, start.getTime() - 8 * DAY_MS, start.getTime() + 8 * DAY_MS);
    const request = {
      site,
      days: 7,
      start,
      solverName: 'highs' as const,
      effacements: [],
      profiles,
      issuedPv: { issues, path: eliaPath },
    };
    const results = await replayStrategies(request);
    const ownForecast = replay(site, profiles, 'optimised', { start, days: 7, solver, effacements: [] });
    const oracleLoadOnly = replay(site, profiles, 'oracle-forecast', {
      start,
      days: 7,
      solver,
      effacements: [],
      issuedPvForecasts: issues,
      oracleKnows: ['load'],
    });
    weeks.push({ week: start.toISOString().slice(0, 10), results, ownForecast, oracleLoadOnly });
  }
  return weeks;
}
