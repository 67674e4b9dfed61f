import { loadSiteFile } from '@ilot/site';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHistory } from './history-option';
import { householdsHistoryCsv } from '../../../scripts/households-history';
import { simulateCommand } from './simulate.command';

const sitePath = join(__dirname, '..', '..', '..', 'sites', 'konstanz-pair.yaml');
const site = loadSiteFile(sitePath);
/** Four days (2016-05-01 to 04) of two real Konstanz homes, shipped with their source and licence. */
const KONSTANZ_FIXTURES = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'opsd-konstanz');
const DEVICES = ['m-home-3', 'pv-home-3', 'm-home-4', 'pv-home-4'];

/** A history of `hours` hourly rows for every device, from 2016-05-02, as the operator would export it. */
function csv(hours: number, edit: (lines: string[]) => void = () => undefined): string {
  const lines = ['ts,device,powerW'];
  for (let h = 0; h < hours; h++)
    for (const device of DEVICES)
      lines.push(
        `${new Date(Date.UTC(2016, 4, 2, h)).toISOString()},${device},${device.startsWith('pv') ? (h % 24 > 6 && h % 24 < 18 ? 2000 : 0) : 400}`,
      );
  edit(lines);
  return lines.join('\n') + '\n';
}
const file = (text: string) => {
  const path = join(mkdtempSync(join(tmpdir(), 'ilot-history-')), 'history.csv');
  writeFileSync(path, text);
  return path;
};

describe("ilot simulate --history: the operator's measured data", () => {
  it('defaults to 7 days of planner history then the rest of the file, and reads each series at its interval', () => {
    const replayed = readHistory(site, file(csv(10 * 24)), undefined, undefined);
    expect(replayed.start.toISOString()).toBe('2016-05-09T00:00:00.000Z');
    expect(replayed.days).toBe(3);
    expect(replayed.warmUpDays).toBe(7);
    expect(replayed.history.powerW('pv-home-3', new Date('2016-05-02T08:59:00Z'))).toBe(2000);
    expect(replayed.history.powerW('pv-home-3', new Date('2016-05-02T18:00:00Z'))).toBe(0);
    const short = readHistory(site, file(csv(2 * 24)), undefined, undefined);
    expect({ start: short.start.toISOString(), days: short.days, warmUpDays: short.warmUpDays }).toEqual({
      start: '2016-05-02T00:00:00.000Z',
      days: 2,
      warmUpDays: 0,
    });
  });

  it.each([
    [
      'a row with a bad power, by line',
      (l: string[]) => (l[5] = '2016-05-02T01:00:00.000Z,m-home-3,lots'),
      'line 6: powerW "lots" is not a finite number',
    ],
    [
      'a bad instant, by line',
      (l: string[]) => (l[2] = 'yesterday,pv-home-3,0'),
      'line 3: ts "yesterday" is not an ISO 8601 instant with a zone',
    ],
    ['a gap, by instant', (l: string[]) => l.splice(9, 4), 'breaks the 60-minute spacing'],
    [
      'a missing value, by device and instant',
      (l: string[]) => l.splice(5, 1),
      'no value for m-home-3 at 2016-05-02T01:00:00.000Z',
    ],
    [
      'a device the site does not have',
      (l: string[]) => l.push('2016-05-02T00:00:00.000Z,m-home-9,100'),
      'device "m-home-9" is not in site "konstanz-pair"',
    ],
    [
      'a battery series',
      (l: string[]) => l.push('2016-05-02T00:00:00.000Z,bat-shared,100'),
      'device "bat-shared" is a battery: the planner decides its power, it takes no series',
    ],
    [
      'a meter without a series',
      (l: string[]) => l.splice(0, l.length, ...l.filter((x) => !x.includes('m-home-4'))),
      'no series for meter "m-home-4"',
    ],
    ['a bad header', (l: string[]) => (l[0] = 'time,id,watts'), 'line 1: header must be "ts,device,powerW"'],
  ])('refuses %s', (_name, edit, message) => {
    expect(() => readHistory(site, file(csv(48, edit)), undefined, undefined)).toThrow(message);
  });

  // Regression (issue 25): a ';'-separated file was answered with one "no series for meter" per meter.
  it('refuses a file of another separator in one reason, before looking for its devices', () => {
    const semicolons = csv(48).replace(/,/g, ';');
    expect(() => readHistory(site, file(semicolons), undefined, undefined)).toThrow(
      /history\.csv: line 1: header must be "ts,device,powerW", separated by commas \(this file uses ";"\)$/,
    );
  });

  // Regression (issue 25): powers in kW were replayed silently as W (a home drawing 0.4 W).
  it('warns of series that look like kW, and of none in a file of W', () => {
    expect(readHistory(site, file(csv(48)), undefined, undefined).warnings).toEqual([]);
    const inKW = csv(48).replace(/,(\d+)$/gm, (_m, w: string) => `,${Number(w) / 1000}`);
    const warnings = readHistory(site, file(inKW), undefined, undefined).warnings;
    expect(warnings).toHaveLength(DEVICES.length);
    expect(warnings).toContain(
      `pv-home-3: its highest value is 2 for a ${(site.devices.get('pv-home-3') as { peakW: number }).peakW} W array: powers are W, not kW?`,
    );
    expect(warnings.find((w) => w.startsWith('m-home-3: its mean is 0.40 where'))).toMatch(/powers are W, not kW\?$/);
  });

  it('refuses a --start or --days outside the file', () => {
    const path = file(csv(48));
    expect(() => readHistory(site, path, '2016-06-01T00:00:00Z', undefined)).toThrow(
      '--start must lie within the history',
    );
    expect(() => readHistory(site, path, undefined, '5')).toThrow('the history holds 2.00 day(s) from --start');
  });

  it('replays two real Konstanz homes (OPSD) it was not written around, every strategy, and says what it replays', async () => {
    // Two days of the real homes, converted at the edge (scripts/households-history.ts): consumption = import + PV -
    // export, from the cumulative counters of the OPSD household data (a slice shipped in test/fixtures/opsd-konstanz).
    const out = mkdtempSync(join(tmpdir(), 'ilot-history-out-'));
    const history = join(out, 'konstanz.csv');
    writeFileSync(history, householdsHistoryCsv(KONSTANZ_FIXTURES, '2016-05-02', 2));
    const lines: string[] = [];
    await simulateCommand(
      new Map([
        ['site', [sitePath]],
        ['history', [history]],
        ['out', [out]],
      ]),
      (line) => lines.push(line),
    );
    expect(lines[0]).toBe(
      `replays ${history}: 4 series, a 60-minute step; the planner starts with 0 day(s) of it as history`,
    );
    const kpis = JSON.parse(readFileSync(join(out, 'kpis.json'), 'utf8'));
    expect(kpis).toMatchObject({ site: 'konstanz-pair', start: '2016-05-02T00:00:00.000Z', days: 2 });
    const of = (s: string) => kpis.results.find((k: { strategy: string }) => k.strategy === s);
    // The measured PV is what the replay produced, whatever the strategy.
    expect(of('idle').pvKWh).toBeCloseTo(of('optimised').pvKWh, 6);
    expect(of('perfect-foresight').costNetOfStorageEur).toBeLessThan(of('idle').costNetOfStorageEur);
    expect(of('optimised').costNetOfStorageEur).toBeLessThan(of('idle').costNetOfStorageEur);
  }, 120_000);
});
