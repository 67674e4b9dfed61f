import { seededRandom } from '@ilot/domain';
import type { TempoColour } from './tariff';

export type TempoCalendarParse = { ok: true; colours: Map<string, TempoColour> } | { ok: false; problems: string[] };

const HEADER = 'date,colour';
const COLOURS: readonly TempoColour[] = ['blue', 'white', 'red'];

/**
 * A Tempo calendar (`ilot simulate --tempo-calendar FILE`): CSV `date,colour`, one local date (YYYY-MM-DD, the Tempo
 * day from 06:00 that date) per line, `blue`, `white` or `red`. Every bad line is refused with its number and field: a
 * date that is not one, a colour that is not one of the three, a date given twice. Pure.
 */
export function parseTempoCalendar(text: string): TempoCalendarParse {
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== HEADER)
    return { ok: false, problems: [`line 1: the header must be ${HEADER}, found "${lines[0] ?? ''}"`] };
  const problems: string[] = [];
  const colours = new Map<string, TempoColour>();
  lines.slice(1).forEach((raw, k) => {
    const line = k + 2;
    if (raw.trim() === '') return;
    const [date, colour, extra] = raw.split(',').map((c) => c.trim());
    if (extra !== undefined) return problems.push(`line ${line}: 3 fields or more, 2 expected (${HEADER})`);
    if (!isDate(date)) return problems.push(`line ${line}: date "${date}" is not a YYYY-MM-DD date`);
    if (!COLOURS.includes(colour as TempoColour))
      return problems.push(`line ${line}: colour "${colour ?? ''}" must be blue, white or red`);
    if (colours.has(date)) return problems.push(`line ${line}: date ${date} is given twice`);
    colours.set(date, colour as TempoColour);
  });
  return problems.length ? { ok: false, problems } : { ok: true, colours };
}

function isDate(text: string | undefined): text is string {
  if (!text || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
}

/**
 * The Tempo option's published rules (CRE deliberation, EDF's Tempo conditions): each Tempo year (1 September to 31
 * August) has 22 red days, on weekdays from 1 November to 31 March, and 43 white days, any day but Sunday; the other
 * days are blue.
 */
export const TEMPO_RULES = { redDays: 22, whiteDays: 43, redMonths: [11, 12, 1, 2, 3] } as const;

/**
 * Colours for the dates given, drawn by the published rules (TEMPO_RULES) with a seed: per Tempo year, 22 red days
 * among its November-March weekdays and 43 white days among its other non-Sunday days, weighted toward the heart of
 * winter (as RTE's colours follow the national consumption); the rest blue. A plausible year, not a forecast: the
 * same seed gives the same calendar. Public holidays are not left out. Pure.
 */
export function drawTempoColours(dates: readonly string[], seed: number): Map<string, TempoColour> {
  const random = seededRandom(seed);
  const colours = new Map<string, TempoColour>();
  const byYear = new Map<number, string[]>();
  for (const date of dates) {
    const [year, month] = date.split('-').map(Number);
    const tempoYear = month >= 9 ? year : year - 1;
    byYear.set(tempoYear, [...(byYear.get(tempoYear) ?? []), date]);
  }
  for (const [tempoYear, asked] of byYear) {
    const days = tempoYearDays(tempoYear);
    const red = drawWeighted(
      days.filter(
        (d) => (TEMPO_RULES.redMonths as readonly number[]).includes(d.month) && d.weekday >= 1 && d.weekday <= 5,
      ),
      TEMPO_RULES.redDays,
      random,
    );
    const white = drawWeighted(
      days.filter((d) => d.weekday !== 0 && !red.has(d.date)),
      TEMPO_RULES.whiteDays,
      random,
    );
    for (const date of asked) colours.set(date, red.has(date) ? 'red' : white.has(date) ? 'white' : 'blue');
  }
  return colours;
}

interface TempoDay {
  date: string;
  month: number;
  weekday: number;
  /** How cold the day is, typically: 1 in mid-January, 0 in mid-July. */
  winterness: number;
}

function tempoYearDays(tempoYear: number): TempoDay[] {
  const days: TempoDay[] = [];
  for (let ms = Date.UTC(tempoYear, 8, 1); ms < Date.UTC(tempoYear + 1, 8, 1); ms += 86_400_000) {
    const at = new Date(ms);
    const dayOfYear = (ms - Date.UTC(at.getUTCFullYear(), 0, 1)) / 86_400_000;
    days.push({
      date: at.toISOString().slice(0, 10),
      month: at.getUTCMonth() + 1,
      weekday: at.getUTCDay(),
      winterness: (1 + Math.cos(((dayOfYear - 15) / 365) * 2 * Math.PI)) / 2,
    });
  }
  return days;
}

/** `count` distinct days drawn with weights winterness^3 (the cold weeks carry the colours). */
function drawWeighted(days: readonly TempoDay[], count: number, random: () => number): Set<string> {
  const pool = days.map((d) => ({ date: d.date, weight: d.winterness ** 3 + 1e-6 }));
  const chosen = new Set<string>();
  while (chosen.size < Math.min(count, pool.length)) {
    const total = pool.reduce((sum, d) => sum + (chosen.has(d.date) ? 0 : d.weight), 0);
    let pick = random() * total;
    for (const d of pool) {
      if (chosen.has(d.date)) continue;
      pick -= d.weight;
      if (pick <= 0) {
        chosen.add(d.date);
        break;
      }
    }
  }
  return chosen;
}
