import type { PlanInput } from './plan-input';
import { describeExcluded, planSummary } from './plan-summary';
import type { Schedule } from './schedule';

describe('what an operator reads of each plan', () => {
  const schedule: Schedule = {
    siteId: 'demo',
    generatedAt: '2026-01-15T17:00:00.000Z',
    status: 'optimal',
    solver: 'highs',
    objectiveEur: 12,
    slotMinutes: 15,
    violations: [],
    slots: [
      {
        start: '2026-01-15T17:00:00.000Z',
        gridW: 38_000,
        consumptionW: 91_000,
        pvW: 0,
        devices: { 'bat-1': { setpointW: 53_000, socPct: 40 } },
      },
    ],
  };
  const input = {
    batteries: [{ id: 'bat-1' }],
    slots: [{ importEurPerKWh: 0.27 }],
    connection: { importLimitW: 160_000, exportLimitW: 100_000 },
  } as unknown as PlanInput;

  it('says status, planned grid power, each battery and why, the tariff and the commands, on one line', () => {
    expect(planSummary(schedule, input, { period: 'HP', commands: 1, elapsedMs: 41.6 })).toBe(
      'plan optimal (highs, 42 ms), grid 38.0 kW planned, bat-1 53.0 kW (self-consumption), HP 0.2700 EUR/kWh, 1 command',
    );
  });

  // Regression: the first plan of `npm start` printed a 49-device WARN wall.
  it('groups the devices left out by why, naming them only when few', () => {
    const excluded = [
      ...Array.from({ length: 47 }, (_, i) => `m-${i}: no reading yet`),
      'pv-b: offline since 2026-01-15T16:00:00.000Z',
      'm-x: stale, last reading 615 s ago (max age 600 s)',
    ];
    expect(describeExcluded(excluded, 50)).toBe(
      '49 of 50 devices left out of the plan: 47 no reading yet; 1 offline (pv-b); 1 stale (m-x)',
    );
  });
});
