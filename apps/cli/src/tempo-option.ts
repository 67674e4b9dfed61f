import { DAY_MS } from '@ilot/domain';
import type { Site } from '@ilot/site';
import { drawTempoColours, parseTempoCalendar, type TempoColour } from '@ilot/tariffs';
import { readFileSync } from 'node:fs';
import { UsageError } from './args';

/**
 * A Tempo site's colours over the replay, its warm-up and the planner's horizon past its end: `--tempo-calendar FILE`'s
 * where it has them (a bad line refused with its number), the others drawn by the published rules with `--tempo-seed`
 * (default 1). Undefined for another tariff (and `--tempo-calendar` refused there).
 */
export function tempoColoursOf(
  site: Site,
  options: Map<string, string[]>,
  start: Date,
  endMs: number,
  warmUpDays: number,
): { colours: Map<string, TempoColour>; said: string } | undefined {
  const path = options.get('tempo-calendar')?.[0];
  if (site.tariff.kind !== 'tempo') {
    if (path) throw new UsageError(`--tempo-calendar: the site's tariff is ${site.tariff.kind}, not tempo`);
    return undefined;
  }
  const seed = Number(options.get('tempo-seed')?.[0] ?? 1);
  if (!Number.isInteger(seed)) throw new UsageError('--tempo-seed must be an integer');
  const dates: string[] = [];
  for (let ms = start.getTime() - (warmUpDays + 1) * DAY_MS; ms < endMs + 3 * DAY_MS; ms += DAY_MS)
    dates.push(new Date(ms).toISOString().slice(0, 10));
  const given = path ? readTempoCalendar(path) : new Map<string, TempoColour>();
  const missing = dates.filter((d) => !given.has(d));
  const drawn = drawTempoColours(missing, seed);
  const colours = new Map(dates.map((d) => [d, given.get(d) ?? drawn.get(d)!]));
  const counts = (['blue', 'white', 'red'] as const)
    .map((c) => `${dates.filter((d) => colours.get(d) === c).length} ${c}`)
    .join(', ');
  const from = path ? `${dates.length - missing.length} day(s) from ${path}` : 'no --tempo-calendar';
  const said = `Tempo colours (${counts}): ${from}${missing.length ? `, ${missing.length} drawn by the published rules (22 red weekdays Nov-Mar, 43 white non-Sundays a year; --tempo-seed ${seed})` : ''}`;
  return { colours, said };
}

function readTempoCalendar(path: string): Map<string, TempoColour> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--tempo-calendar ${path}: ${(error as Error).message}`);
  }
  const parsed = parseTempoCalendar(text);
  if (!parsed.ok) throw new UsageError(`--tempo-calendar ${path}:\n${parsed.problems.map((p) => `  ${p}`).join('\n')}`);
  return parsed.colours;
}
