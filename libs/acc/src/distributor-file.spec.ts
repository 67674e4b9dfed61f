import {
  DEFAULT_DISTRIBUTOR_FILE_FORMAT,
  type DistributorRow,
  parseDistributorFile,
  writeDistributorFile,
} from './distributor-file';
import { distributorRows } from './distributor-month';

const month = { month: '2026-11', timezone: 'Europe/Paris' };
const A = '25110000000011';
const B = '25110000000012';
const P = '25110000000099';
const t0 = new Date('2026-11-02T11:00:00Z');
const t1 = new Date('2026-11-02T11:15:00Z');

describe("the distributor's month file", () => {
  it('computes, rounds to whole Wh keeping total = allocated + rest, writes and reads back the same rows', () => {
    const rows = distributorRows(
      [
        {
          start: t0,
          productionWh: new Map([[P, 1000.4]]),
          consumptionWh: new Map([
            [A, 300.6],
            [B, 899.7],
          ]),
        },
        { start: t1, productionWh: new Map([[P, 10]]), consumptionWh: new Map([[A, 50]]) },
      ],
      { kind: 'dynamic-default' },
      { consumers: [A, B], producers: [P] },
    );
    expect(rows.ok).toBe(true);
    if (!rows.ok) return;
    expect(rows.value).toEqual<DistributorRow[]>([
      { start: t0, prm: A, role: 'consumer', totalWh: 301, allocatedWh: 251, restWh: 50 },
      { start: t0, prm: B, role: 'consumer', totalWh: 900, allocatedWh: 750, restWh: 150 },
      { start: t0, prm: P, role: 'producer', totalWh: 1000, allocatedWh: 1000, restWh: 0 },
      { start: t1, prm: A, role: 'consumer', totalWh: 50, allocatedWh: 10, restWh: 40 },
      { start: t1, prm: B, role: 'consumer', totalWh: null, allocatedWh: null, restWh: null },
      { start: t1, prm: P, role: 'producer', totalWh: 10, allocatedWh: 10, restWh: 0 },
    ]);
    const text = writeDistributorFile(rows.value, month);
    expect(text.split('\n')[0]).toBe(
      'Horodate;Identifiant PRM;Type;Energie totale (Wh);Energie autoconsommée (Wh);Complément ou surplus (Wh)',
    );
    expect(text.split('\n')[5]).toBe('2026-11-02T12:15:00+01:00;25110000000012;CONSOMMATEUR;;;');
    expect(parseDistributorFile(text, month)).toEqual({ ok: true, value: rows.value });
  });

  it('finds its columns by name, in any order and beside others, with the names the format gives', () => {
    const format = {
      ...DEFAULT_DISTRIBUTOR_FILE_FORMAT,
      columns: { start: 'ts', prm: 'prm', type: 'kind', totalWh: 'total', allocatedWh: 'acc', restWh: 'rest' },
      consumerType: 'C',
    };
    const text = 'note;kind;prm;ts;rest;acc;total\nx;C;25110000000011;2026-11-02T12:00:00+01:00;50;251;301\n';
    expect(parseDistributorFile(text, month, format)).toEqual({
      ok: true,
      value: [{ start: t0, prm: A, role: 'consumer', totalWh: 301, allocatedWh: 251, restWh: 50 }],
    });
  });

  it.each<[string, string, RegExp]>([
    ['a column missing', 'Horodate;Identifiant PRM;Type\n', /line 1: no column "Energie totale \(Wh\)"/],
    [
      'a PRM of 13 digits',
      '2026-11-02T12:00:00+01:00;2511000000001;CONSOMMATEUR;1;0;1',
      /line 2: "2511000000001" is not a PRM/,
    ],
    [
      'decimals',
      '2026-11-02T12:00:00+01:00;25110000000011;CONSOMMATEUR;1,5;0;1,5',
      /line 2: Energie totale \(Wh\) "1,5" is not whole Wh >= 0/,
    ],
    [
      'a step of December',
      '2026-12-01T00:00:00+01:00;25110000000011;CONSOMMATEUR;1;0;1',
      /line 2: 2026-12-01T00:00:00\+01:00 lies outside the month/,
    ],
    ['a step off the grid', '2026-11-02T12:05:00+01:00;25110000000011;CONSOMMATEUR;1;0;1', /is not a 15-min step/],
    [
      'an unknown type',
      '2026-11-02T12:00:00+01:00;25110000000011;STOCKAGE;1;0;1',
      /type "STOCKAGE": expected CONSOMMATEUR or PRODUCTEUR/,
    ],
    [
      'parts that do not add up',
      '2026-11-02T12:00:00+01:00;25110000000011;CONSOMMATEUR;100;20;30',
      /20 \+ 30 Wh do not make the total 100 Wh/,
    ],
    [
      'a row twice',
      '2026-11-02T12:00:00+01:00;25110000000011;CONSOMMATEUR;1;0;1\n2026-11-02T12:00:00+01:00;25110000000011;CONSOMMATEUR;1;0;1',
      /line 3: 25110000000011 at 2026-11-02T12:00:00\+01:00 given twice/,
    ],
  ])('refuses a file with %s, by line', (_name, body, reason) => {
    const header = writeDistributorFile([], month).trimEnd();
    const text = body.startsWith('Horodate') ? body : `${header}\n${body}\n`;
    const result = parseDistributorFile(text, month);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join('\n')).toMatch(reason);
  });
});
