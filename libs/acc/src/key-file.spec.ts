import { localMonthRange, SETTLEMENT_STEP_MS } from '@ilot/domain';
import { stepStarts } from './csv-text';
import { DEFAULT_KEY_FILE_FORMAT, type KeyTable, parseKeyFile, writeKeyFile } from './key-file';

const TZ = 'Europe/Paris';
const A = '25110000000011';
const B = '25110000000012';
const C = '25110000000013';

function monthTable(month: string, share: (i: number) => [number, number, number]): KeyTable {
  const { from, to } = localMonthRange(month, TZ);
  return {
    columns: [A, B, C],
    steps: stepStarts(from, to, SETTLEMENT_STEP_MS).map((start, i) => {
      const [a, b, c] = share(i);
      return {
        start,
        shares: new Map([
          [A, a],
          [B, b],
          [C, c],
        ]),
      };
    }),
  };
}

/** The table with its first step's shares replaced. */
const withFirstStep = (t: KeyTable, shares: Array<[string, number]>): KeyTable => ({
  ...t,
  steps: t.steps.map((s, i) => (i === 0 ? { ...s, shares: new Map(shares) } : s)),
});

function written(table: KeyTable, month: string) {
  const result = writeKeyFile(table, { month, timezone: TZ });
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.value;
}

describe('the month key file', () => {
  it('writes every step of the local month, one column per PRM, percentages rounded down, and reads back what it sent', () => {
    const { text, sent } = written(
      monthTable('2026-11', () => [1 / 3, 1 / 3, 1 / 3]),
      '2026-11',
    );
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe(`Horodate;${A};${B};${C}`);
    expect(lines).toHaveLength(1 + 30 * 96);
    expect(lines[1]).toBe('2026-11-01T00:00:00+01:00;33,333;33,333;33,333');
    expect(lines.at(-1)).toMatch(/^2026-11-30T23:45:00\+01:00;/);
    const read = parseKeyFile(text, { month: '2026-11', timezone: TZ });
    expect(read.ok && read.value.steps).toEqual(sent.steps);
    expect([...sent.steps[0].shares.values()].reduce((s, v) => s + v, 0)).toBeLessThanOrEqual(1);
  });

  it('has 100 steps on the day of 25 hours and labels the hour that comes twice by its offset', () => {
    const { text } = written(
      monthTable('2026-10', () => [0.5, 0.25, 0.25]),
      '2026-10',
    );
    const rows = text.split('\n').filter((l) => l.startsWith('2026-10-25T'));
    expect(rows).toHaveLength(100);
    expect(rows.filter((l) => l.startsWith('2026-10-25T02:00:00'))).toEqual([
      '2026-10-25T02:00:00+02:00;50,000;25,000;25,000',
      '2026-10-25T02:00:00+01:00;50,000;25,000;25,000',
    ]);
  });

  it('never writes a step above 100 % however the shares round', () => {
    const { sent } = written(
      monthTable('2026-11', (i) => [0.1 + (i % 7) * 1e-7, 0.6, 0.3 - (i % 7) * 1e-7]),
      '2026-11',
    );
    for (const step of sent.steps)
      expect([...step.shares.values()].reduce((s, v) => s + v, 0)).toBeLessThanOrEqual(1 + 1e-12);
  });

  it.each<[string, (t: KeyTable) => KeyTable, RegExp]>([
    [
      'a step missing',
      (t) => ({ ...t, steps: t.steps.slice(1) }),
      /1 step\(s\) missing, the first 2026-11-01T00:00:00\+01:00/,
    ],
    ['a step twice', (t) => ({ ...t, steps: [...t.steps, t.steps[5]] }), /2026-11-01T01:15:00\+01:00: given twice/],
    [
      'a step of another month',
      (t) => ({
        ...t,
        steps: [...t.steps, { start: new Date('2026-12-01T00:00:00+01:00'), shares: t.steps[0].shares }],
      }),
      /2026-12-01T00:00:00\+01:00: not a 15-min step of 2026-11/,
    ],
    [
      'a participant without a coefficient',
      (t) => ({ ...t, steps: t.steps.map((s, i) => (i === 3 ? { ...s, shares: new Map([[A, 0.5]]) } : s)) }),
      /2026-11-01T00:45:00\+01:00: no coefficient for 25110000000012/,
    ],
    [
      'a step above 100 %',
      (t) =>
        withFirstStep(t, [
          [A, 0.5],
          [B, 0.4],
          [C, 0.2],
        ]),
      /coefficients sum to 110.000 %, above 100 %/,
    ],
    [
      'a coefficient below 0',
      (t) =>
        withFirstStep(t, [
          [A, -0.1],
          [B, 0],
          [C, 0],
        ]),
      /coefficient of 25110000000011 is -0.1: must be from 0 to 1/,
    ],
    [
      'a column that is not a PRM',
      (t) => ({ ...t, columns: [...t.columns, 'bakery'] }),
      /columns: "bakery" is not a PRM/,
    ],
  ])('refuses a table with %s, naming it, and writes nothing', (_name, spoil, reason) => {
    const result = writeKeyFile(spoil(monthTable('2026-11', () => [0.2, 0.3, 0.5])), {
      month: '2026-11',
      timezone: TZ,
    });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).toMatch(reason);
  });

  it.each<[string, (text: string) => string, RegExp]>([
    ['another header', (t) => t.replace('Horodate', 'Date'), /line 1: the header must begin with "Horodate"/],
    [
      'a point as decimal separator',
      (t) => t.replace('33,333;33,333;33,333', '33.333;33,333;33,333'),
      /line 2: 25110000000011: "33.333" is not a percentage/,
    ],
    [
      'a local time without offset',
      (t) => t.replace('2026-11-01T00:15:00+01:00', '2026-11-01 00:15'),
      /line 3: "2026-11-01 00:15" is not a local time with its offset/,
    ],
    [
      'a short row',
      (t) => t.replace('2026-11-01T00:30:00+01:00;33,333;33,333;33,333', '2026-11-01T00:30:00+01:00;33,333'),
      /line 4: 2 fields, the header has 4/,
    ],
  ])('reads a file with %s as refused, by line', (_name, spoil, reason) => {
    const { text } = written(
      monthTable('2026-11', () => [1 / 3, 1 / 3, 1 / 3]),
      '2026-11',
    );
    const result = parseKeyFile(spoil(text), { month: '2026-11', timezone: TZ }, DEFAULT_KEY_FILE_FORMAT);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).toMatch(reason);
  });

  it('writes in another dialect when the format says so', () => {
    const result = writeKeyFile(
      monthTable('2026-11', () => [0.125, 0.5, 0.375]),
      { month: '2026-11', timezone: TZ },
      {
        separator: ',',
        decimalSeparator: '.',
        timestampHeader: 'timestamp',
        decimals: 1,
      },
    );
    expect(result.ok && result.value.text.split('\n')[1]).toBe('2026-11-01T00:00:00+01:00,12.5,50.0,37.5');
  });
});
