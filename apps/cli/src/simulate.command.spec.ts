import { loadSiteFile } from '@ilot/site';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UsageError } from './args';
import { parseEffacementOption, simulateCommand, withSubscription } from './simulate.command';

describe('ilot simulate --effacement', () => {
  it('reads an order', () => {
    expect(parseEffacementOption('order-1,2026-01-15T16:00:00Z,2026-01-15T18:00:00Z,60000')).toEqual({
      id: 'order-1',
      start: new Date('2026-01-15T16:00:00Z'),
      end: new Date('2026-01-15T18:00:00Z'),
      reductionW: 60_000,
    });
  });

  it.each([
    ['order-1,2026-01-15T16:00:00Z,60000', 'expected ID,START,END,REDUCTION_W'],
    ['order 1,2026-01-15T16:00:00Z,2026-01-15T18:00:00Z,60000', 'the id may hold letters, digits and . _ : - only'],
    ['o,2026-01-15T16:05:00Z,2026-01-15T18:00:00Z,60000', 'START must be an ISO instant on a quarter-hour'],
    ['o,2026-01-15T16:00:00Z,tomorrow,60000', 'END must be an ISO instant on a quarter-hour'],
    ['o,2026-01-15T18:00:00Z,2026-01-15T16:00:00Z,60000', 'END must be after START'],
    ['o,2026-01-15T16:00:00Z,2026-01-15T18:00:00Z,-5', 'REDUCTION_W must be a positive power, W'],
  ])('refuses "%s" with the reason', (text, reason) => {
    expect(() => parseEffacementOption(text)).toThrow(UsageError);
    expect(() => parseEffacementOption(text)).toThrow(`--effacement "${text}": ${reason}`);
  });
});

describe('ilot simulate: the KPIs and the picture of one day, every strategy', () => {
  const site = join(__dirname, '..', '..', '..', 'sites', 'demo.yaml');
  const run = async (...extra: string[]) => {
    const out = mkdtempSync(join(tmpdir(), 'ilot-simulate-'));
    const args = new Map<string, string[]>([
      ['site', [site]],
      ['days', ['1']],
      ['start', ['2026-01-17T00:00:00Z']],
      ['out', [out]],
    ]);
    for (let i = 0; i < extra.length; i += 2) args.set(extra[i], [extra[i + 1]]);
    const lines: string[] = [];
    await simulateCommand(args, (line) => lines.push(line));
    return { out, lines, kpis: JSON.parse(readFileSync(join(out, 'kpis.json'), 'utf8')) };
  };

  it('writes kpis.json ({site, start, days, results}, one object per strategy, its KPIs named with units), trace.csv and replay.html', async () => {
    const { out, kpis, lines } = await run();
    expect(kpis).toMatchObject({ site: 'demo', start: '2026-01-17T00:00:00.000Z', days: 1 });
    expect(kpis.results.map((k: { strategy: string }) => k.strategy)).toEqual([
      'optimised',
      'oracle-forecast',
      'self-consumption',
      'idle',
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
    expect(html.match(/<svg /g)).toHaveLength(5);
    expect(html.match(/class="contract"/g)!.length).toBeGreaterThanOrEqual(5);
    expect(html).not.toMatch(/<script|https?:\/\//);
    expect(lines.at(-1)).toContain('replay.html');
    // trace.csv: one row per strategy and 15-min slot of the day, the same grid power the picture draws.
    // Regression: the replay's last slot was never closed, so its peak and overrun were not counted (95 rows a day).
    const rows = readFileSync(join(out, 'trace.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('strategy,ts,gridW,storedKWh');
    expect(rows).toHaveLength(1 + 5 * 96);
    const idlePeakW = Math.max(...rows.filter((r) => r.startsWith('idle,')).map((r) => Number(r.split(',')[2])));
    expect(idlePeakW / 1000).toBeCloseTo(of('idle').peakImportKW, 0);
  }, 120_000);

  it('--subscribed-power: the what-if of a lower subscription costs its overruns and saves its fixed part', async () => {
    const { kpis, lines } = await run('subscribed-power', '120');
    const idle = kpis.results.find((k: { strategy: string }) => k.strategy === 'idle');
    expect(idle.overrunCostEur).toBeGreaterThan(0);
    // 120 kVA x 30 EUR a year in every class (the others add nothing): 120 x 30 / 365 a day.
    expect(lines.find((l) => l.startsWith('subscription, pro rata'))).toContain(((120 * 30) / 365).toFixed(2));
  }, 120_000);

  it.each([
    ['0', '--subscribed-power must be a positive power, kVA'],
    ['200', "--subscribed-power 200 kVA is 186.0 kW, above the connection's importLimitW"],
  ])('refuses --subscribed-power %s', (kVA, message) => {
    const demo = loadSiteFile(site);
    expect(() => withSubscription(demo, kVA)).toThrow(message);
    const noTariff = { ...demo, connection: { importLimitW: 160_000, exportLimitW: 0 } };
    expect(() => withSubscription(noTariff, '100')).toThrow('the site has no capacity tariff');
  });
});
