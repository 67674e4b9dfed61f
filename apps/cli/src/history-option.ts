import { DAY_MS, HISTORY_DAYS } from '@ilot/domain';
import { seriesProblems } from '@ilot/optimiser';
import type { Site } from '@ilot/site';
import { MeasuredHistory } from '@ilot/simulators';
import { readFileSync } from 'node:fs';
import { UsageError } from './args';
import { InputsCsvError, parseInputsCsv } from './inputs-csv';

/** Steps a history may have: one constant step of 1 to 60 minutes. */
const HISTORY_STEPS_MINUTES = Array.from({ length: 60 }, (_, k) => k + 1);

/** What `--history` replays: the measured series, and the period and planner history it allows. */
export interface ReplayedHistory {
  history: MeasuredHistory;
  start: Date;
  days: number;
  /** Days of the file before `start` the planner starts with (7 when the file allows, else what it has). */
  warmUpDays: number;
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
  // The devices first: a series the site cannot take is one reason, not one per missing value.
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
  return { history, start, days, warmUpDays };
}
