import { isoInstantMs } from '@ilot/domain';
/** Forecasts read from `ilot optimise --inputs`: header `ts,device,powerW`, one row per device and slot start. */
export interface ForecastSeries {
  slotStarts: Date[];
  slotMinutes: number;
  powerW: Map<string, number[]>;
}

export class InputsCsvError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `inputs CSV: ${problems.slice(0, 20).join('; ')}${problems.length > 20 ? `; and ${problems.length - 20} more` : ''}`,
    );
  }
}

/** What is wrong with the first line, if anything: the header `ts,device,powerW`, comma-separated. */
export function headerProblem(firstLine: string | undefined): string | undefined {
  if (firstLine?.trim().replace(/\s*,\s*/g, ',') === 'ts,device,powerW') return undefined;
  const separator = /[;\t]/.exec(firstLine ?? '')?.[0];
  return separator
    ? `line 1: header must be "ts,device,powerW", separated by commas (this file uses ${separator === ';' ? '";"' : 'tabs'})`
    : `line 1: header must be "ts,device,powerW", not "${(firstLine ?? '').slice(0, 80)}"`;
}

/**
 * Parses and checks the long-format CSV: slots from `start` on (default: the first row's instant), evenly spaced by one
 * of `stepsMinutes`, every device given exactly once per slot. Every problem of a row is reported with its line
 * number; a gap with the instant it breaks at.
 */
export function parseInputsCsv(
  text: string,
  start?: Date,
  stepsMinutes: readonly number[] = [5, 10, 15, 30, 60],
): ForecastSeries {
  const lines = text.split(/\r?\n/);
  const problems: string[] = [];
  const header = headerProblem(lines[0]);
  if (header) throw new InputsCsvError([header]);
  const values = new Map<number, Map<string, number>>();
  lines.slice(1).forEach((line, i) => {
    const lineNo = i + 2;
    if (line.trim() === '') return;
    const cells = line.split(',').map((c) => c.trim());
    if (cells.length !== 3) return problems.push(`line ${lineNo}: ${cells.length} fields, expected 3`);
    const [ts, device, power] = cells;
    const atMs = isoInstantMs(ts);
    if (Number.isNaN(atMs)) return problems.push(`line ${lineNo}: ts "${ts}" is not an ISO 8601 instant with a zone`);
    const powerW = power === '' ? NaN : Number(power);
    if (!Number.isFinite(powerW)) return problems.push(`line ${lineNo}: powerW "${power}" is not a finite number`);
    if (start && atMs < start.getTime()) return;
    const slot = values.get(atMs) ?? new Map<string, number>();
    if (slot.has(device))
      return problems.push(`line ${lineNo}: a second value for ${device} at ${new Date(atMs).toISOString()}`);
    slot.set(device, powerW);
    values.set(atMs, slot);
  });
  if (problems.length) throw new InputsCsvError(problems);

  const startsMs = [...values.keys()].sort((a, b) => a - b);
  if (start && startsMs[0] !== start.getTime())
    throw new InputsCsvError([`no row at --start ${start.toISOString()}: the first slot must start there`]);
  if (startsMs.length < 2) throw new InputsCsvError(['at least two slots are needed']);
  const slotMs = startsMs[1] - startsMs[0];
  const slotMinutes = slotMs / 60_000;
  if (!stepsMinutes.includes(slotMinutes))
    throw new InputsCsvError([
      `slots are ${slotMinutes} minutes apart; ${stepsMinutes.length > 6 ? `${stepsMinutes[0]} to ${stepsMinutes.at(-1)}` : stepsMinutes.join(', ')} are supported`,
    ]);
  startsMs.forEach((ms, t) => {
    if (ms !== startsMs[0] + t * slotMs)
      problems.push(`slot ${new Date(ms).toISOString()} breaks the ${slotMinutes}-minute spacing`);
  });
  const devices = [...new Set([...values.values()].flatMap((slot) => [...slot.keys()]))].sort();
  const powerW = new Map(devices.map((d) => [d, [] as number[]]));
  for (const ms of startsMs)
    for (const device of devices) {
      const value = values.get(ms)!.get(device);
      if (value === undefined) problems.push(`no value for ${device} at ${new Date(ms).toISOString()}`);
      else powerW.get(device)!.push(value);
    }
  if (problems.length) throw new InputsCsvError(problems);
  return { slotStarts: startsMs.map((ms) => new Date(ms)), slotMinutes, powerW };
}
