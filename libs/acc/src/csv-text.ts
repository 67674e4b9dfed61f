/** The separators of a semicolon CSV as French tools write it (`;` between fields, `,` before decimals). */
export interface CsvDialect {
  separator: string;
  decimalSeparator: '.' | ',';
}

/** At most this many problems are listed one by one; the rest are counted. */
export const MAX_LISTED_PROBLEMS = 50;

/** The non-empty lines of a file, each with its 1-based line number (a BOM and CRLF endings are accepted). */
export function csvLines(text: string, dialect: CsvDialect): Array<{ line: number; fields: string[] }> {
  return text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((row, i) => ({ line: i + 1, row }))
    .filter(({ row }) => row.trim() !== '')
    .map(({ line, row }) => ({ line, fields: row.split(dialect.separator).map((f) => f.trim()) }));
}

/** A decimal number written with the dialect's separator; NaN when it is not one. */
export function parseDecimal(text: string, dialect: CsvDialect): number {
  const other = dialect.decimalSeparator === ',' ? '.' : ',';
  if (text === '' || text.includes(other) || !/^-?\d+([.,]\d+)?$/.test(text)) return NaN;
  return Number(text.replace(',', '.'));
}

export function formatDecimal(value: number, decimals: number, dialect: CsvDialect): string {
  const text = value.toFixed(decimals);
  return dialect.decimalSeparator === ',' ? text.replace('.', ',') : text;
}

/** The problems to report: the first MAX_LISTED_PROBLEMS, and how many more there were. */
export function listedProblems(problems: string[]): string[] {
  if (problems.length <= MAX_LISTED_PROBLEMS) return problems;
  return [...problems.slice(0, MAX_LISTED_PROBLEMS), `... and ${problems.length - MAX_LISTED_PROBLEMS} more`];
}

/** The starts of a month's steps, in order ([from, to) on the step grid). */
export function stepStarts(from: Date, to: Date, stepMs: number): Date[] {
  const starts: Date[] = [];
  for (let ms = from.getTime(); ms < to.getTime(); ms += stepMs) starts.push(new Date(ms));
  return starts;
}
