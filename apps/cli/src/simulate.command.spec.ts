import { loadSiteFile } from '@ilot/site';
import { join } from 'node:path';
import { UsageError } from './args';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { parseEffacementOption, simulateRequest, withSubscription } from './simulate.command';

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

describe('ilot simulate --subscribed-power: refused when it cannot be', () => {
  // The replays themselves run the built command, in test/cli-simulate.e2e-spec.ts.
  const site = join(__dirname, '..', '..', '..', 'sites', 'demo.yaml');

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

describe('ilot simulate --pv-forecast: forecasts as they were issued (issue 27)', () => {
  const site = join(__dirname, '..', '..', '..', 'sites', 'demo.yaml');
  const file = (text: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'ilot-pv-forecast-')), 'issued.csv');
    writeFileSync(path, text);
    return path;
  };
  const request = (path: string) =>
    simulateRequest(
      new Map([
        ['site', [site]],
        ['days', ['1']],
        ['out', [tmpdir()]],
        ['pv-forecast', [path]],
      ]),
    );

  it('reads the issues', () => {
    const path = file('issuedAt,ts,device,pvW\n2026-01-11T10:00:00Z,2026-01-12T10:00:00Z,,5000\n');
    expect(request(path).issuedPv).toEqual({
      path,
      issues: [
        {
          issuedAt: new Date('2026-01-11T10:00:00Z'),
          points: [{ deviceId: '', at: new Date('2026-01-12T10:00:00Z'), pvW: 5000 }],
        },
      ],
    });
  });

  it('refuses every bad row with its line and field, and an empty file', () => {
    const path = file(
      'issuedAt,ts,device,pvW\n2026-01-11T10:00:00Z,2026-01-12T10:00:00Z,m-a-101,5000\n2026-01-11T10:00:00Z,2026-01-12T11:00:00Z,,-1\n',
    );
    expect(() => request(path)).toThrow(UsageError);
    expect(() => request(path)).toThrow(/line 2: device "m-a-101" is not a PV array[\s\S]*line 3: pvW "-1"/);
    expect(() => request(file('issuedAt,ts,device,pvW\n'))).toThrow('no forecast in it');
    expect(() => request('/nowhere/issued.csv')).toThrow('--pv-forecast /nowhere/issued.csv: ENOENT');
  });
});

describe('ilot simulate on a Tempo site: the colours of the replayed dates (issue 27 §6)', () => {
  const lyon = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'sites', 'lyon-six.yaml');
  const demo = join(__dirname, '..', '..', '..', 'sites', 'demo.yaml');
  const file = (text: string) => {
    const path = join(mkdtempSync(join(tmpdir(), 'ilot-tempo-')), 'tempo.csv');
    writeFileSync(path, text);
    return path;
  };
  const request = (site: string, extra: Array<[string, string[]]>) =>
    simulateRequest(
      new Map([['site', [site]], ['days', ['2']], ['start', ['2026-01-12T00:00:00Z']], ['out', [tmpdir()]], ...extra]),
    );

  it('takes the file where it has a date, draws the others by the rules, and says which', () => {
    const tempo = request(lyon, [['tempo-calendar', [file('date,colour\n2026-01-12,red\n2026-01-13,white\n')]]]).tempo!;
    expect(tempo.colours.get('2026-01-12')).toBe('red');
    expect(tempo.colours.get('2026-01-13')).toBe('white');
    // The warm-up's 8 days before, the 2 replayed, 3 past the end for the horizon.
    expect(tempo.colours.size).toBe(13);
    expect(tempo.said).toMatch(
      /^Tempo colours \(\d+ blue, \d+ white, \d+ red\): 2 day\(s\) from .*, 11 drawn by the published rules/,
    );
  });

  it('draws every date without a file, the same for the same seed', () => {
    const a = request(lyon, [['tempo-seed', ['3']]]).tempo!;
    const b = request(lyon, [['tempo-seed', ['3']]]).tempo!;
    expect(a.colours).toEqual(b.colours);
    expect(a.said).toContain('no --tempo-calendar, 13 drawn');
  });

  it.each([
    [
      'a bad line, with its number',
      lyon,
      [['tempo-calendar', [file('date,colour\n2026-01-12,rouge\n')]]],
      'line 2: colour "rouge"',
    ],
    ['a calendar for a site not on Tempo', demo, [['tempo-calendar', [file('date,colour\n')]]], 'not tempo'],
    ['a seed that is not an integer', lyon, [['tempo-seed', ['x']]], '--tempo-seed must be an integer'],
  ] as Array<[string, string, Array<[string, string[]]>, string]>)('refuses %s', (_, site, extra, message) => {
    expect(() => request(site, extra)).toThrow(message);
  });
});
