import { type Checked, isoInstantMs, localIsoWithOffset, localMonthRange, SETTLEMENT_STEP_MS } from '@ilot/domain';
import { type CsvDialect, csvLines, formatDecimal, listedProblems, parseDecimal, stepStarts } from './csv-text';

/**
 * The month's allocation key as the PMO sends it to the distributor (issue 29 §2): one row per 15-min step of the
 * local month, one column per consumer's delivery point (PRM), each cell the consumer's percentage of the production
 * (of the whole operation's for a "dynamique simple" key; of one producer's for a full dynamic key, one file per
 * producer). Enedis' own file specification is not public (docs/acc.md says what we found and how to adapt): the
 * column and number conventions are configurable, the defaults those of the public tools we found.
 */
export interface KeyFileFormat extends CsvDialect {
  /** Header of the step column; its cells are the step's local start with its offset. */
  timestampHeader: string;
  /** Decimal places of each percentage; each is rounded down so that no step sums above 100 %. */
  decimals: number;
}

export const DEFAULT_KEY_FILE_FORMAT: KeyFileFormat = {
  separator: ';',
  decimalSeparator: ',',
  timestampHeader: 'Horodate',
  decimals: 3,
};

/** A month of coefficients: the consumers' PRMs (the file's columns) and each step's shares (0..1) by PRM. */
export interface KeyTable {
  columns: string[];
  steps: Array<{ start: Date; shares: ReadonlyMap<string, number> }>;
}

export interface KeyMonth {
  month: string;
  timezone: string;
}

const PRM = /^\d{14}$/;

/** Everything that keeps a table from being the month's key: steps missing or extra, shares missing or out of bounds. */
export function keyTableProblems(table: KeyTable, month: KeyMonth): string[] {
  const problems: string[] = [];
  const columns = new Set(table.columns);
  if (columns.size !== table.columns.length) problems.push('columns: a PRM is given twice');
  for (const prm of table.columns) if (!PRM.test(prm)) problems.push(`columns: "${prm}" is not a PRM (14 digits)`);
  const { from, to } = localMonthRange(month.month, month.timezone);
  const expected = new Set(stepStarts(from, to, SETTLEMENT_STEP_MS).map((s) => s.getTime()));
  const seen = new Set<number>();
  for (const step of table.steps) {
    const at = localIsoWithOffset(step.start, month.timezone);
    if (!expected.has(step.start.getTime())) problems.push(`${at}: not a 15-min step of ${month.month}`);
    else if (seen.has(step.start.getTime())) problems.push(`${at}: given twice`);
    seen.add(step.start.getTime());
    let total = 0;
    for (const prm of table.columns) {
      const share = step.shares.get(prm);
      if (share === undefined) problems.push(`${at}: no coefficient for ${prm}`);
      else if (!Number.isFinite(share) || share < 0 || share > 1)
        problems.push(`${at}: coefficient of ${prm} is ${share}: must be from 0 to 1`);
      else total += share;
    }
    for (const prm of step.shares.keys()) if (!columns.has(prm)) problems.push(`${at}: ${prm} is not a column`);
    if (total > 1 + 1e-9) problems.push(`${at}: coefficients sum to ${(total * 100).toFixed(3)} %, above 100 %`);
  }
  const missing = [...expected].filter((ms) => !seen.has(ms));
  if (missing.length)
    problems.push(
      `${missing.length} step(s) missing, the first ${localIsoWithOffset(new Date(missing[0]), month.timezone)}`,
    );
  return listedProblems(problems);
}

/** Each share as the file carries it: a percentage rounded down to the format's decimals, as a fraction again. */
export function sentShares(shares: ReadonlyMap<string, number>, decimals: number): Map<string, number> {
  const unit = 10 ** decimals;
  // Rounded down in whole units of the last decimal (a float just under an integer stays under it).
  return new Map([...shares].map(([prm, share]) => [prm, Math.floor(share * 100 * unit + 1e-6) / unit / 100]));
}

/**
 * The month's key file, validated first: refused with every problem when the table is not a whole month of shares
 * within bounds. `sent` is the table as written (rounded down): what the distributor will apply.
 */
export function writeKeyFile(
  table: KeyTable,
  month: KeyMonth,
  format: KeyFileFormat = DEFAULT_KEY_FILE_FORMAT,
): Checked<{ text: string; sent: KeyTable }, 'invalid'> {
  const problems = keyTableProblems(table, month);
  if (problems.length) return { ok: false, reason: 'invalid', problems };
  const steps = [...table.steps]
    .sort((a, b) => a.start.getTime() - b.start.getTime())
    .map((s) => ({ start: s.start, shares: sentShares(s.shares, format.decimals) }));
  const rows = steps.map((s) =>
    [
      localIsoWithOffset(s.start, month.timezone),
      ...table.columns.map((prm) => formatDecimal(s.shares.get(prm)! * 100, format.decimals, format)),
    ].join(format.separator),
  );
  const header = [format.timestampHeader, ...table.columns].join(format.separator);
  return { ok: true, value: { text: [header, ...rows].join('\n') + '\n', sent: { columns: table.columns, steps } } };
}

/** Reads a key file back (the simulated distributor does, as the real one would), with every problem by line. */
export function parseKeyFile(
  text: string,
  month: KeyMonth,
  format: KeyFileFormat = DEFAULT_KEY_FILE_FORMAT,
): Checked<KeyTable, 'invalid'> {
  const [header, ...rows] = csvLines(text, format);
  if (!header || header.fields[0] !== format.timestampHeader)
    return {
      ok: false,
      reason: 'invalid',
      problems: [`line 1: the header must begin with "${format.timestampHeader}"`],
    };
  const columns = header.fields.slice(1);
  const problems: string[] = [];
  const steps: KeyTable['steps'] = [];
  for (const { line, fields } of rows) {
    if (fields.length !== columns.length + 1) {
      problems.push(`line ${line}: ${fields.length} fields, the header has ${columns.length + 1}`);
      continue;
    }
    const startMs = isoInstantMs(fields[0]);
    if (!Number.isFinite(startMs)) {
      problems.push(`line ${line}: "${fields[0]}" is not a local time with its offset`);
      continue;
    }
    const shares = new Map<string, number>();
    columns.forEach((prm, i) => {
      const pct = parseDecimal(fields[i + 1], format);
      if (Number.isNaN(pct)) problems.push(`line ${line}: ${prm}: "${fields[i + 1]}" is not a percentage`);
      else shares.set(prm, pct / 100);
    });
    steps.push({ start: new Date(startMs), shares });
  }
  if (problems.length) return { ok: false, reason: 'invalid', problems: listedProblems(problems) };
  const table = { columns, steps };
  const tableProblems = keyTableProblems(table, month);
  return tableProblems.length ? { ok: false, reason: 'invalid', problems: tableProblems } : { ok: true, value: table };
}
