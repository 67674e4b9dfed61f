import { type Checked, isoInstantMs, localIsoWithOffset, localMonthRange, SETTLEMENT_STEP_MS } from '@ilot/domain';
import { type CsvDialect, csvLines, listedProblems } from './csv-text';

/**
 * The month's data the distributor gives the PMO (issue 29 §3): per delivery point and 15-min step, a consumer's
 * withdrawal, the local production allocated to it and its supplier's complement; a producer's injection, the part
 * allocated to the consumers and its surplus. Whole Wh. A step the distributor could not measure has empty values.
 * Enedis' file specification is not public (docs/acc.md): columns are found by their header, whose names are
 * configurable, so that a file with other names or more columns reads once the format says so.
 */
export interface DistributorFileFormat extends CsvDialect {
  columns: { start: string; prm: string; type: string; totalWh: string; allocatedWh: string; restWh: string };
  /** The `type` cell of a consumer's and of a producer's rows. */
  consumerType: string;
  producerType: string;
}

export const DEFAULT_DISTRIBUTOR_FILE_FORMAT: DistributorFileFormat = {
  separator: ';',
  decimalSeparator: ',',
  columns: {
    start: 'Horodate',
    prm: 'Identifiant PRM',
    type: 'Type',
    totalWh: 'Energie totale (Wh)',
    allocatedWh: 'Energie autoconsommée (Wh)',
    restWh: 'Complément ou surplus (Wh)',
  },
  consumerType: 'CONSOMMATEUR',
  producerType: 'PRODUCTEUR',
};

/** One delivery point's step: totalWh is a consumer's withdrawal or a producer's injection; null when not measured. */
export interface DistributorRow {
  start: Date;
  prm: string;
  role: 'consumer' | 'producer';
  totalWh: number | null;
  /** Allocated to the consumer, or allocated from the producer. */
  allocatedWh: number | null;
  /** The consumer's complement, or the producer's surplus. */
  restWh: number | null;
}

export interface DistributorMonth {
  month: string;
  timezone: string;
}

const cell = (value: number | null): string => (value === null ? '' : String(value));

export function writeDistributorFile(
  rows: readonly DistributorRow[],
  month: DistributorMonth,
  format: DistributorFileFormat = DEFAULT_DISTRIBUTOR_FILE_FORMAT,
): string {
  const c = format.columns;
  const header = [c.start, c.prm, c.type, c.totalWh, c.allocatedWh, c.restWh].join(format.separator);
  const lines = rows.map((r) =>
    [
      localIsoWithOffset(r.start, month.timezone),
      r.prm,
      r.role === 'consumer' ? format.consumerType : format.producerType,
      cell(r.totalWh),
      cell(r.allocatedWh),
      cell(r.restWh),
    ].join(format.separator),
  );
  return [header, ...lines].join('\n') + '\n';
}

function wholeWh(text: string): number | null | undefined {
  if (text === '') return null;
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/** One line's row, or its problems. */
function parseRow(
  fields: string[],
  index: Record<keyof DistributorFileFormat['columns'], number>,
  format: DistributorFileFormat,
  range: { from: Date; to: Date },
): DistributorRow | string[] {
  const problems: string[] = [];
  const startMs = isoInstantMs(fields[index.start] ?? '');
  if (!Number.isFinite(startMs)) problems.push(`"${fields[index.start]}" is not a local time with its offset`);
  else if (startMs % SETTLEMENT_STEP_MS !== 0) problems.push(`${fields[index.start]} is not a 15-min step`);
  else if (startMs < range.from.getTime() || startMs >= range.to.getTime())
    problems.push(`${fields[index.start]} lies outside the month`);
  const prm = fields[index.prm] ?? '';
  if (!/^\d{14}$/.test(prm)) problems.push(`"${prm}" is not a PRM (14 digits)`);
  const type = fields[index.type];
  if (type !== format.consumerType && type !== format.producerType)
    problems.push(`type "${type}": expected ${format.consumerType} or ${format.producerType}`);
  const values = (['totalWh', 'allocatedWh', 'restWh'] as const).map((key) => {
    const value = wholeWh(fields[index[key]] ?? '');
    if (value === undefined) problems.push(`${format.columns[key]} "${fields[index[key]]}" is not whole Wh >= 0`);
    return value ?? null;
  });
  const [totalWh, allocatedWh, restWh] = values;
  if (totalWh !== null && allocatedWh !== null && restWh !== null && Math.abs(allocatedWh + restWh - totalWh) > 1)
    problems.push(`${allocatedWh} + ${restWh} Wh do not make the total ${totalWh} Wh`);
  if (problems.length) return problems;
  const role = type === format.consumerType ? 'consumer' : 'producer';
  return { start: new Date(startMs), prm, role, totalWh, allocatedWh, restWh };
}

/** Reads the distributor's month, every problem with its line: a bad cell, a step outside the month, a row twice. */
export function parseDistributorFile(
  text: string,
  month: DistributorMonth,
  format: DistributorFileFormat = DEFAULT_DISTRIBUTOR_FILE_FORMAT,
): Checked<DistributorRow[], 'invalid'> {
  const [header, ...lines] = csvLines(text, format);
  const index = {} as Record<keyof DistributorFileFormat['columns'], number>;
  const missing: string[] = [];
  for (const [key, name] of Object.entries(format.columns) as Array<[keyof DistributorFileFormat['columns'], string]>) {
    index[key] = header?.fields.indexOf(name) ?? -1;
    if (index[key] < 0) missing.push(`line 1: no column "${name}"`);
  }
  if (missing.length) return { ok: false, reason: 'invalid', problems: missing };
  const range = localMonthRange(month.month, month.timezone);
  const problems: string[] = [];
  const rows: DistributorRow[] = [];
  const seen = new Set<string>();
  for (const { line, fields } of lines) {
    const row = parseRow(fields, index, format, range);
    if (Array.isArray(row)) {
      problems.push(...row.map((p) => `line ${line}: ${p}`));
      continue;
    }
    const key = `${row.prm}@${row.start.getTime()}`;
    if (seen.has(key)) problems.push(`line ${line}: ${row.prm} at ${fields[index.start]} given twice`);
    seen.add(key);
    rows.push(row);
  }
  return problems.length
    ? { ok: false, reason: 'invalid', problems: listedProblems(problems) }
    : { ok: true, value: rows };
}
