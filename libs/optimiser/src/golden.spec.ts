import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildModel } from './build-model';
import { HighsSolverAdapter } from './highs.adapter';
import { JavascriptLpSolverAdapter } from './javascript-lp-solver.adapter';
import { plan } from './plan';
import { goldenExpectationFailures, goldenPlanInput, GoldenScenario } from './testing/golden-scenario';
import { scheduleInvariantViolations } from './testing/schedule-invariants';

const GOLDEN_DIR = join(__dirname, '../golden');
const scenarios = readdirSync(GOLDEN_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({ file, scenario: JSON.parse(readFileSync(join(GOLDEN_DIR, file), 'utf8')) as GoldenScenario }));

describe('golden scenarios (libs/optimiser/golden)', () => {
  let highs: HighsSolverAdapter;
  const js = new JavascriptLpSolverAdapter();
  beforeAll(async () => {
    highs = await HighsSolverAdapter.load();
  });

  it('has at least ten scenarios, each with its reason', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(10);
    for (const { scenario } of scenarios) expect(scenario.why.length).toBeGreaterThan(40);
  });

  it.each(scenarios)(
    '$file: every invariant holds, the expectations hold, and both solvers agree on the objective',
    ({ scenario }) => {
      const input = goldenPlanInput(scenario);
      const { schedule } = plan(input, highs);
      expect(scheduleInvariantViolations(input, schedule)).toEqual([]);
      expect(goldenExpectationFailures(scenario, input, schedule)).toEqual([]);
      const model = buildModel(input).model;
      const [a, b] = [highs.solve(model), js.solve(model)];
      expect([a.status, b.status]).toEqual(['optimal', 'optimal']);
      if (a.status === 'optimal' && b.status === 'optimal')
        expect(Math.abs(a.objective - b.objective)).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(b.objective)));
    },
  );
});
