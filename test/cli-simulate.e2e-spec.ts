import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '..');

/** `ilot simulate` as a user runs it: the built command, one day of the demo from 17 January (unless said), every strategy. */
async function simulate(...extra: string[]): Promise<{ out: string; lines: string[]; kpis: any }> {
  const out = mkdtempSync(join(tmpdir(), 'ilot-simulate-'));
  const period = extra.includes('--days') ? [] : ['--days', '1', '--start', '2026-01-17T00:00:00Z'];
  const args = ['--site', join(root, 'sites', 'demo.yaml'), ...period];
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(root, 'dist/apps/cli/src/main.js'), 'simulate', ...args, '--out', out, ...extra],
    { cwd: root, maxBuffer: 16 * 1024 * 1024 },
  );
  return { out, lines: stdout.trimEnd().split('\n'), kpis: JSON.parse(readFileSync(join(out, 'kpis.json'), 'utf8')) };
}

describe('ilot simulate: the KPIs and the picture of one day, every strategy', () => {
  // Both replays at once, each a process of its own (outside Jest's module sandbox, a replay runs about twice as fast).
  let plain: ReturnType<typeof simulate>;
  let subscribed: ReturnType<typeof simulate>;
  let june: ReturnType<typeof simulate>;
  beforeAll(async () => {
    plain = simulate();
    subscribed = simulate('--subscribed-power', '120');
    june = simulate('--days', '2', '--start', '2026-06-16T00:00:00Z');
    await Promise.all([plain, subscribed, june]);
  }, 240_000);

  it('over two June days, the oracle plans as often as the live planner and costs it no more', async () => {
    // Two days: on one, what each leaves stored or owed at the end weighs as much as what forecasts cost.
    const { kpis } = await june;
    const of = (s: string) => kpis.results.find((k: { strategy: string }) => k.strategy === s);
    expect(of('oracle-forecast').plans).toBeGreaterThan(500);
    expect(of('oracle-forecast').plans).toBe(of('optimised').plans);
    expect(of('oracle-forecast').costNetOfStorageEur).toBeLessThanOrEqual(of('optimised').costNetOfStorageEur);
  });

  it('writes kpis.json ({site, start, days, results}, one object per strategy, its KPIs named with units), trace.csv and replay.html', async () => {
    const { out, kpis, lines } = await plain;
    expect(kpis).toMatchObject({ site: 'demo', start: '2026-01-17T00:00:00.000Z', days: 1 });
    expect(kpis.results.map((k: { strategy: string }) => k.strategy)).toEqual([
      'optimised',
      'oracle-forecast',
      'self-consumption',
      'idle',
      'no-battery',
      'perfect-foresight',
    ]);
    for (const k of kpis.results) {
      for (const name of ['energyCostEur', 'costNetOfStorageEur', 'importKWh', 'exportKWh', 'peakImportKW'])
        expect(typeof k[name]).toBe('number');
      for (const name of ['importAboveLimitKWh', 'overrunCostEur', 'selfConsumptionRatio', 'selfSufficiencyRatio'])
        expect(typeof k[name]).toBe('number');
      expect(k).not.toHaveProperty('trace');
    }
    // 17 January: a 196 kW spike on a 160 kW contract. The idle battery pays overrun hours; the plan holds it.
    const of = (s: string) => kpis.results.find((k: { strategy: string }) => k.strategy === s);
    expect(of('idle').overrunCostEur).toBeGreaterThan(0);
    expect(of('optimised').importAboveLimitKWh).toBeLessThan(0.1 * of('idle').importAboveLimitKWh);
    expect(typeof of('optimised').perfectForesightSavingShare).toBe('number');
    const html = readFileSync(join(out, 'replay.html'), 'utf8');
    expect(html.match(/<svg /g)).toHaveLength(6);
    expect(html.match(/class="contract"/g)!.length).toBeGreaterThanOrEqual(6);
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(lines.at(-1)).toContain('replay.html');
    // trace.csv: one row per strategy and 15-min slot of the day, the same grid power the picture draws.
    // Regression: the replay's last slot was never closed, so its peak and overrun were not counted (95 rows a day).
    const rows = readFileSync(join(out, 'trace.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('strategy,ts,gridW,storedKWh,sheddableW,shedKWh');
    // Idle sheds nothing; what the sheddable loads drew is there (the demo has heat pumps and a water heater).
    expect(rows.filter((r) => r.startsWith('idle,')).every((r) => Number(r.split(',')[5]) === 0)).toBe(true);
    expect(Math.max(...rows.slice(1).map((r) => Number(r.split(',')[4])))).toBeGreaterThan(0);
    expect(rows).toHaveLength(1 + 6 * 96);
    // Issue 27 §6: what the batteries and the load control each earn, scaled to a year and said so.
    expect(lines.find((l) => l.startsWith('per year'))).toMatch(
      /^per year \(1 day\(s\) x 365\.0: one season's figures, not a year's\): the batteries earn -?\d+ EUR \(no-battery - optimised\), load control -?\d+ EUR \(idle - no-battery\)$/,
    );
    // The îlot without batteries: nothing stored, and no cheaper than the optimised one with them.
    expect(of('no-battery').storedStartKWh).toBe(0);
    expect(of('no-battery').costNetOfStorageEur).toBeGreaterThanOrEqual(of('perfect-foresight').costNetOfStorageEur);
    const idlePeakW = Math.max(...rows.filter((r) => r.startsWith('idle,')).map((r) => Number(r.split(',')[2])));
    expect(idlePeakW / 1000).toBeCloseTo(of('idle').peakImportKW, 0);
  });

  it('--subscribed-power: the what-if of a lower subscription costs its overruns and saves its fixed part', async () => {
    const { kpis, lines } = await subscribed;
    const idle = kpis.results.find((k: { strategy: string }) => k.strategy === 'idle');
    expect(idle.overrunCostEur).toBeGreaterThan(0);
    // 120 kVA x 30 EUR a year in every class (the others add nothing): 120 x 30 / 365 a day.
    expect(lines.find((l) => l.startsWith('subscription, pro rata'))).toContain(((120 * 30) / 365).toFixed(2));
  });
});
