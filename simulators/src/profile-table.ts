import { DAY_MS, SETTLEMENT_STEP_MS } from '@ilot/domain';
import { readFileSync } from 'node:fs';
import { repoPath } from './repo-path';

export const PROFILE_COLUMNS = [
  'flatWPerMWh',
  'officeWPerMWh',
  'schoolWPerMWh',
  'shopWPerMWh',
  'pvWPerKWp',
  'airTempC',
] as const;
export type ProfileColumn = (typeof PROFILE_COLUMNS)[number];

const SLOTS = 35_040;
/** 2019-01-01 was a Tuesday. */
const REFERENCE_JAN1_WEEKDAY = 2;

export const DEFAULT_PROFILE_FILE = repoPath('simulators', 'profiles', 'ilot-profiles-2019-15min.csv');

/**
 * The shipped year of 15-minute profiles (simulators/profiles/README.md), read at any instant of
 * any year: the instant maps to the 2019 day of the same weekday nearest to its day of the year,
 * and values are interpolated between slot starts.
 */
export class ProfileTable {
  private readonly columns: Record<ProfileColumn, Float32Array>;

  constructor(csv: string) {
    const lines = csv.trim().split('\n');
    const header = lines[0].split(',');
    const indexes = PROFILE_COLUMNS.map((c) => header.indexOf(c));
    if (indexes.some((i) => i < 0))
      throw new Error(`profile file lacks columns ${PROFILE_COLUMNS.filter((_, k) => indexes[k] < 0).join(', ')}`);
    if (lines.length - 1 !== SLOTS) throw new Error(`profile file has ${lines.length - 1} rows, expected ${SLOTS}`);
    this.columns = Object.fromEntries(PROFILE_COLUMNS.map((c) => [c, new Float32Array(SLOTS)])) as Record<
      ProfileColumn,
      Float32Array
    >;
    for (let row = 1; row <= SLOTS; row++) {
      const cells = lines[row].split(',');
      PROFILE_COLUMNS.forEach((c, k) => (this.columns[c][row - 1] = Number(cells[indexes[k]])));
    }
  }

  static load(path = DEFAULT_PROFILE_FILE): ProfileTable {
    return new ProfileTable(readFileSync(path, 'utf8'));
  }

  /**
   * The same table with one column's 35 040 slots (2019, UTC, 15 min) replaced: e.g. the PV measured by a
   * transmission operator for bench:value's issued-forecast table (issue 27).
   */
  withColumn(column: ProfileColumn, values: Float32Array): ProfileTable {
    if (values.length !== SLOTS) throw new Error(`${column}: ${values.length} slots, expected ${SLOTS}`);
    const copy = Object.create(ProfileTable.prototype) as ProfileTable;
    (copy as unknown as { columns: Record<ProfileColumn, Float32Array> }).columns = {
      ...this.columns,
      [column]: values,
    };
    return copy;
  }

  /** Fractional slot index in the 2019 table for an instant. */
  static slotPosition(at: Date): number {
    const yearStart = Date.UTC(at.getUTCFullYear(), 0, 1);
    const dayOfYear = Math.floor((at.getTime() - yearStart) / DAY_MS);
    const referenceWeekday = (REFERENCE_JAN1_WEEKDAY + dayOfYear) % 7;
    let shift = (at.getUTCDay() - referenceWeekday + 7) % 7;
    if (shift > 3) shift -= 7;
    let day = dayOfYear + shift;
    if (day < 0) day += 7;
    if (day > 364) day -= 7;
    const msOfDay = at.getTime() - yearStart - dayOfYear * DAY_MS;
    return day * 96 + msOfDay / SETTLEMENT_STEP_MS;
  }

  /** Σ f(value) over the year's 15-minute slots (e.g. degree-slots below a base temperature). */
  sumOverYear(column: ProfileColumn, f: (value: number) => number): number {
    return this.columns[column].reduce((sum, value) => sum + f(value), 0);
  }

  value(column: ProfileColumn, at: Date): number {
    const position = ProfileTable.slotPosition(at);
    const row = Math.floor(position);
    const fraction = position - row;
    const series = this.columns[column];
    return series[row % SLOTS] * (1 - fraction) + series[(row + 1) % SLOTS] * fraction;
  }
}
