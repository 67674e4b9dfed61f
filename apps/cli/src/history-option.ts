import { DAY_MS, HISTORY_DAYS } from '@ilot/domain';
import { seriesProblems } from '@ilot/optimiser';
import type { Site } from '@ilot/site';
import { MeasuredHistory } from '@ilot/simulators';
import { readFileSync } from 'node:fs';
import { UsageError } from './args';
import { headerProblem, InputsCsvError, parseInputsCsv } from './inputs-csv';

/** A series whose typical value is below this share of what the site file says reads as kW where W are meant. */
const KW_SUSPECT_SHARE = 1 / 100;

/** Steps a history may have: one constant step of 1 to 60 minutes. */
const HISTORY_STEPS_MINUTES = Array.from({ length: 60 }, (_, k) => k + 1);

/** What `--history` replays: the measured series, and the period and planner history it allows. */
export interface ReplayedHistory {
  history: MeasuredHistory;
  start: Date;
  days: number;
  /** Days of the file before `start` the planner starts with (7 when the file allows, else what it has). */
  warmUpDays: number;
  /** What the file may have got wrong without being invalid (powers in kW), each naming the series. */
  warnings: string[];
}

/**
 * `--history CSV`: the operator's measured data (header `ts,device,powerW`, `ts` the UTC start of each interval, one
 * constant step of 1 to 60 minutes, one series for every meter and pv of the site; heat pumps, EV chargers and
 * flexible loads optional, as their uncontrolled demand). Bad rows are refused with their line and reason, gaps with
 * the instant they break at, devices the site does not have or that take commands by name. `--start` defaults to
 * 7 days into the file (those days are the planner's history) when it holds 8 days or more, else its start; `--days`
 * to the rest of the file.
 */
export function readHistory(
  site: Site,
  path: string,
  startText: string | undefined,
  daysText: string | undefined,
): ReplayedHistory {
  const text = readFileSync(path, 'utf8');
  // The header first: a file of another separator is one reason, not one per device it seems to lack (regression,
  // issue 25: a ';'-separated file got 36 "no series for meter" lines).
  const header = headerProblem(text.split(/\r?\n/, 1)[0]);
  if (header) throw new UsageError(`--history ${path}: ${header}`);
  // The devices then: a series the site cannot take is one reason, not one per missing value.
  const named = new Set(
    text
      .split(/\r?\n/)
      .slice(1)
      .map((line) => line.split(',')[1]?.trim())
      .filter((id): id is string => Boolean(id)),
  );
  const problems = seriesProblems(site, named, 'series');
  if (problems.length) throw new UsageError(`--history ${path}: ${problems.join('; ')}`);
  let series: ReturnType<typeof parseInputsCsv>;
  try {
    series = parseInputsCsv(text, undefined, HISTORY_STEPS_MINUTES);
  } catch (error) {
    if (error instanceof InputsCsvError)
      throw new UsageError(`--history ${path}: ${error.message.replace(/^inputs CSV: /, '')}`);
    throw error;
  }
  const history = new MeasuredHistory(series);
  const fileDays = Math.floor((history.endMs - history.startMs) / DAY_MS);
  const start = startText
    ? new Date(startText)
    : new Date(history.startMs + (fileDays >= HISTORY_DAYS + 1 ? HISTORY_DAYS * DAY_MS : 0));
  if (Number.isNaN(start.getTime()) || start.getTime() < history.startMs || start.getTime() >= history.endMs)
    throw new UsageError(
      `--start must lie within the history (${new Date(history.startMs).toISOString()} to ${new Date(history.endMs).toISOString()})`,
    );
  const days = daysText === undefined ? Math.floor((history.endMs - start.getTime()) / DAY_MS) : Number(daysText);
  if (!(days > 0) || start.getTime() + days * DAY_MS > history.endMs)
    throw new UsageError(
      `--days: the history holds ${((history.endMs - start.getTime()) / DAY_MS).toFixed(2)} day(s) from --start; at least one whole day is needed`,
    );
  const warmUpDays = Math.min(HISTORY_DAYS, Math.floor((start.getTime() - history.startMs) / DAY_MS));
  return { history, start, days, warmUpDays, warnings: unitWarnings(site, series.powerW) };
}

/**
 * Series whose values look like kW where W are meant: a pv whose highest value is under 1 % of its peakW, a meter
 * whose mean is under 1 % of its annualKWh spread over the year. Warnings: the operator may know better.
 */
export function unitWarnings(site: Site, powerW: ReadonlyMap<string, readonly number[]>): string[] {
  const warnings: string[] = [];
  for (const [id, values] of powerW) {
    const device = site.devices.get(id);
    if (!values.length || !device) continue;
    if (device.kind === 'pv') {
      const highestW = Math.max(...values);
      if (highestW > 0 && highestW < device.peakW * KW_SUSPECT_SHARE)
        warnings.push(`${id}: its highest value is ${highestW} for a ${device.peakW} W array: powers are W, not kW?`);
    } else if (device.kind === 'meter') {
      const meanW = values.reduce((sum, v) => sum + v, 0) / values.length;
      const expectedW = (device.annualKWh * 1000) / 8760;
      if (meanW > 0 && meanW < expectedW * KW_SUSPECT_SHARE)
        warnings.push(
          `${id}: its mean is ${meanW.toFixed(2)} where ${device.annualKWh} kWh a year is ${expectedW.toFixed(0)} W on average: powers are W, not kW?`,
        );
    }
  }
  return warnings;
}
