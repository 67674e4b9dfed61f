import { residentReport, residentReportCsv, ReportStep } from './resident-report';

const hour = (iso: string, k: number) => new Date(Date.parse(iso) + k * 3_600_000);

/**
 * October 2026 in Paris, hand-computed: the 1st at local midnight (30 Sep 22:00Z, HC), the 10th (allocation above
 * consumption: capped), the 25th, a 25-hour day (the change of time), hour by hour, and 1 Nov local midnight (not in it).
 */
const steps: ReportStep[] = [
  {
    start: new Date('2026-09-30T22:00:00Z'),
    consumptionWh: 2000,
    allocatedWh: 500,
    importEurPerKWh: 0.2,
    period: 'HC',
  },
  {
    start: new Date('2026-10-10T10:00:00Z'),
    consumptionWh: 1000,
    allocatedWh: 3000,
    importEurPerKWh: 0.3,
    period: 'HP',
  },
  ...Array.from({ length: 25 }, (_, k) => ({
    start: hour('2026-10-24T22:00:00Z', k),
    consumptionWh: 1000,
    allocatedWh: k < 5 ? 1000 : 0,
    importEurPerKWh: 0.3,
    period: 'HP',
  })),
  { start: new Date('2026-10-31T23:00:00Z'), consumptionWh: 9999, allocatedWh: 0, importEurPerKWh: 0.3, period: 'HC' },
];
const input = {
  participantId: 'flat-a-101',
  month: '2026-10',
  timeZone: 'Europe/Paris',
  localEurPerKWh: 0.1,
  steps,
  previousMonthKWh: 20,
  peersKWh: [10, 30, 50, 20],
  effacements: [
    {
      id: 'order-1',
      start: new Date('2026-10-15T16:00:00Z'),
      end: new Date('2026-10-15T18:00:00Z'),
      deliveredWh: 1234,
    },
  ],
};

describe('residentReport', () => {
  const report = residentReport(input);

  it('totals the local month: consumption, the part the îlot covered (allocation capped at consumption), the rest from the grid', () => {
    expect(report.totals).toEqual({ consumptionKWh: 28, localKWh: 6.5, gridKWh: 21.5, localShare: 6500 / 28000 });
  });

  it('counts local days: the 1st from local midnight, the 25th with its 25 hours, 1 November out', () => {
    expect(report.days).toEqual([
      { date: '2026-10-01', consumptionKWh: 2, localKWh: 0.5, gridKWh: 1.5 },
      { date: '2026-10-10', consumptionKWh: 1, localKWh: 1, gridKWh: 0 },
      { date: '2026-10-25', consumptionKWh: 25, localKWh: 5, gridKWh: 20 },
    ]);
  });

  it('splits by tariff period', () => {
    expect(report.byPeriod).toEqual([
      { period: 'HC', consumptionKWh: 2, localKWh: 0.5 },
      { period: 'HP', consumptionKWh: 26, localKWh: 6 },
    ]);
  });

  it('prices the month with the collective (local kWh at its price) against without it', () => {
    // Without: 2 x 0.2 + 26 x 0.3 = 8.20. With: 1.5 x 0.2 + 0.5 x 0.1 + 20 x 0.3 + 6 x 0.1 = 6.95.
    expect(report.cost).toEqual({ withCollectiveEur: 6.95, withoutCollectiveEur: 8.2, savingEur: 1.25 });
  });

  it('compares with the previous month and with similar homes, anonymously (a median and a rank, no names)', () => {
    expect(report.comparison).toEqual({
      previousMonthKWh: 20,
      changePct: 40,
      peers: { count: 4, medianKWh: 25, belowShare: 0.5 },
    });
    expect(report.effacements).toEqual([
      { id: 'order-1', start: '2026-10-15T16:00:00.000Z', end: '2026-10-15T18:00:00.000Z', deliveredKWh: 1.234 },
    ]);
    expect(report.notes).toEqual([]);
  });

  it('gives a saving that is the difference of the two costs shown (the e2e read 17.94 € - 17.74 € against a saving of 0.21 €)', () => {
    // Without: 1.04967 kWh x 0.3 = 0.3149 € -> 0.31. With: 0.3149 - 0.049 x (0.3 - 0.1) = 0.3051 € -> 0.31. The raw saving,
    // 0.0098 €, would round to 0.01 beside two equal costs.
    const tight = residentReport({
      ...input,
      steps: [
        {
          start: new Date('2026-10-10T10:00:00Z'),
          consumptionWh: 1049.67,
          allocatedWh: 49,
          importEurPerKWh: 0.3,
          period: 'HP',
        },
      ],
    });
    expect(tight.cost).toEqual({ withCollectiveEur: 0.31, withoutCollectiveEur: 0.31, savingEur: 0 });
    expect(tight.cost.savingEur).toBeCloseTo(tight.cost.withoutCollectiveEur - tight.cost.withCollectiveEur, 10);
  });

  it('gives the comparison’s kWh to the Wh, as the totals (a median of raw meter sums came out with 14 digits)', () => {
    const raw = residentReport({
      ...input,
      previousMonthKWh: 20.123456789,
      peersKWh: [80.90159305465336, 81.5, 70.25],
    });
    expect(raw.comparison.previousMonthKWh).toBe(20.123);
    expect(raw.comparison.peers.medianKWh).toBe(80.902);
  });

  it('says what is missing rather than inventing it', () => {
    const empty = residentReport({ ...input, steps: [], previousMonthKWh: undefined, peersKWh: [], effacements: [] });
    expect(empty.totals).toEqual({ consumptionKWh: 0, localKWh: 0, gridKWh: 0, localShare: 0 });
    expect(empty.comparison).toEqual({
      previousMonthKWh: null,
      changePct: null,
      peers: { count: 0, medianKWh: null, belowShare: null },
    });
    expect(empty.notes).toEqual([
      'no consumption recorded for 2026-10',
      'no previous month to compare with',
      'no similar home in the îlot to compare with',
    ]);
  });

  it('exports its days as CSV', () => {
    expect(residentReportCsv(report)).toBe(
      'date,consumptionKWh,localKWh,gridKWh\n2026-10-01,2.000,0.500,1.500\n2026-10-10,1.000,1.000,0.000\n2026-10-25,25.000,5.000,20.000\n',
    );
  });
});
