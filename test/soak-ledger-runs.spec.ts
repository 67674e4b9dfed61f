import { ledgerRuns } from './support/soak/soak-verdict';

const M = 'ilot_resident_ledger_run_seconds';
/** The histogram's cumulative counts at each bucket bound (prom-client's `le`), its count and sum. */
function histogram(runsS: number[]): Map<string, number> {
  const bounds = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120];
  return new Map([
    [`${M}_count`, runsS.length],
    [`${M}_sum`, runsS.reduce((a, b) => a + b, 0)],
    ...bounds.map((le) => [`${M}_bucket{le="${le}"}`, runsS.filter((s) => s <= le).length] as [string, number]),
  ]);
}

// Regression (CI of 2026-12-07): the soak held the ledger job to 10 s of work whatever the machine; its lag is now
// judged against the job's own runs, read from this histogram.
describe('ledgerRuns (the soak’s reading of the ledger job’s histogram)', () => {
  it.each([
    ['every run fast', Array(100).fill(0.3), 0.5, 0.3],
    ['the 95th in the 8 s bucket', [...Array(90).fill(1.5), ...Array(10).fill(7)], 8, 2.05],
    ['a tail above 95 % does not count', [...Array(96).fill(0.9), ...Array(4).fill(100)], 1, 4.864],
    ['past the last bucket', Array(10).fill(200), Infinity, 200],
  ])('%s', (_, runsS, p95S, meanS) => {
    const runs = ledgerRuns(histogram(runsS));
    expect(runs.count).toBe(runsS.length);
    expect(runs.p95S).toBe(p95S);
    expect(runs.meanS).toBeCloseTo(meanS, 9);
  });

  it('says no run seen when the metrics app was never scraped', () => {
    expect(ledgerRuns(new Map())).toEqual({ count: 0, meanS: NaN, p95S: Infinity });
  });
});
