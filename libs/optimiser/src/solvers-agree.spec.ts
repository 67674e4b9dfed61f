import { buildModel } from './build-model';
import { decodeSchedule } from './decode-schedule';
import { HighsSolverAdapter } from './highs.adapter';
import { JavascriptLpSolverAdapter } from './javascript-lp-solver.adapter';
import { LpModelBuilder } from './lp-model';
import type { PlanInput } from './plan-input';
import { battery, planInput } from './testing/plan-input.factory';
import { scheduleInvariantViolations } from './testing/schedule-invariants';

const quarterHours = 96;
const at = (f: (hour: number, t: number) => number) => Array.from({ length: quarterHours }, (_, t) => f(t / 4, t));
const winterEvening = at((h) => (h >= 17 && h < 21 ? 80_000 : 40_000));
const summerPv = at((h) => (h > 6 && h < 20 ? 180_000 * Math.sin((Math.PI * (h - 6)) / 14) : 0));
const hphc = at((h) => (h < 6 || h >= 22 ? 0.2068 : 0.27));

/** Scenarios small enough for javascript-lp-solver, each a distinct regime of the model. */
const scenarios: Array<{ name: string; input: PlanInput }> = [
  {
    name: 'winter evening peak, HP/HC',
    input: planInput({ consumptionW: winterEvening, importEurPerKWh: hphc, batteries: [battery({ socPct: 30 })] }),
  },
  {
    name: 'sunny day, export capped at 20 kW',
    input: planInput({
      consumptionW: at(() => 30_000),
      pvW: summerPv,
      importEurPerKWh: hphc,
      batteries: [battery({ socPct: 10 })],
      connection: { importLimitW: 160_000, exportLimitW: 20_000 },
    }),
  },
  {
    name: 'empty battery',
    input: planInput({ consumptionW: winterEvening, pvW: summerPv, batteries: [battery({ socPct: 10 })] }),
  },
  {
    name: 'full battery',
    input: planInput({ consumptionW: winterEvening, pvW: summerPv, batteries: [battery({ socPct: 95 })] }),
  },
  {
    name: 'import above the contracted power (soft limit violated)',
    input: planInput({
      consumptionW: at(() => 300_000),
      batteries: [battery({ socPct: 50 })],
      connection: { importLimitW: 250_000, exportLimitW: 0 },
    }),
  },
  {
    name: 'two batteries, negative feed-in price',
    input: planInput({
      consumptionW: at(() => 20_000),
      pvW: summerPv,
      exportEurPerKWh: -0.05,
      batteries: [
        battery({ socPct: 20 }),
        battery({ id: 'bat-2', capacityWh: 50_000, maxChargeW: 25_000, maxDischargeW: 25_000, socPct: 80 }),
      ],
    }),
  },
];

describe('HiGHS and javascript-lp-solver on the same models', () => {
  let highs: HighsSolverAdapter;
  const js = new JavascriptLpSolverAdapter();
  beforeAll(async () => {
    highs = await HighsSolverAdapter.load();
  });

  it.each(scenarios)(
    '$name: both optimal, objectives within 1e-6 relative, the HiGHS schedule within every limit',
    ({ input }) => {
      const built = buildModel(input);
      const a = highs.solve(built.model);
      const b = js.solve(built.model);
      expect(a.status).toBe('optimal');
      expect(b.status).toBe('optimal');
      if (a.status !== 'optimal' || b.status !== 'optimal') return;
      expect(Math.abs(a.objective - b.objective)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(b.objective)));
      expect(scheduleInvariantViolations(input, decodeSchedule(input, built, a))).toEqual([]);
    },
  );

  it('both say infeasible, with no values, for a model that has no solution', () => {
    const builder = new LpModelBuilder();
    const x = builder.addVariable('x', 0, 10, 1);
    builder.addConstraint('x >= 20', [[x, 1]], 20, Infinity);
    const model = builder.build();
    expect(highs.solve(model)).toMatchObject({ status: 'infeasible', solver: 'highs' });
    expect(js.solve(model)).toMatchObject({ status: 'infeasible', solver: 'javascript-lp-solver' });
  });

  it('sums repeated terms of a row, as the other adapter does', () => {
    const builder = new LpModelBuilder();
    const x = builder.addVariable('x', 0, 100, -1);
    builder.addConstraint(
      '2x <= 10, written x + x',
      [
        [x, 1],
        [x, 1],
      ],
      -Infinity,
      10,
    );
    const result = highs.solve(builder.build());
    expect(result.status).toBe('optimal');
    if (result.status === 'optimal') expect(result.values[0]).toBeCloseTo(5, 9);
  });
});

describe('net metering at the connection', () => {
  it('never imports and exports in the same slot, even when the feed-in pays more than import costs', async () => {
    const highs = await HighsSolverAdapter.load();
    // Negative spot price with a fixed feed-in contract: importing 1 kWh to export it would "earn" 0.07 EUR.
    const input = planInput({
      consumptionW: [20_000, 20_000, 20_000, 20_000],
      pvW: [60_000, 60_000, 0, 0],
      importEurPerKWh: [-0.05, -0.05, 0.25, 0.25],
      exportEurPerKWh: 0.02,
      batteries: [battery({ socPct: 50 })],
    });
    const built = buildModel(input);
    const result = highs.solve(built.model);
    expect(result.status).toBe('optimal');
    if (result.status !== 'optimal') return;
    built.index.importKw.forEach((imp, t) =>
      expect(Math.min(result.values[imp], result.values[built.index.exportKw[t]])).toBeLessThan(1e-6),
    );
  });
});

describe('HiGHS warm start', () => {
  it('re-solves the next slot’s model from the previous basis to the same optimum as a cold solve', async () => {
    const [warm, cold] = await Promise.all([
      HighsSolverAdapter.load({ warmStart: true }),
      HighsSolverAdapter.load({ warmStart: false }),
    ]);
    const first = planInput({
      consumptionW: winterEvening,
      pvW: summerPv,
      importEurPerKWh: hphc,
      batteries: [battery({ socPct: 30 })],
    });
    const next = { ...first, slots: [...first.slots.slice(1), first.slots[0]], batteries: [battery({ socPct: 33 })] };
    expect(warm.solve(buildModel(first).model).status).toBe('optimal');
    const [a, b] = [warm.solve(buildModel(next).model), cold.solve(buildModel(next).model)];
    expect([a.status, b.status]).toEqual(['optimal', 'optimal']);
    if (a.status === 'optimal' && b.status === 'optimal')
      expect(Math.abs(a.objective - b.objective)).toBeLessThanOrEqual(1e-6 * Math.abs(b.objective));
  });
});
