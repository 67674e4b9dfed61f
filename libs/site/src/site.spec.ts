import { join } from 'node:path';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadSiteFile, validateSite } from './index';
import { demoSiteDocument, siteProblemsOf } from './testing/site-problems-of';

const demoPath = join(__dirname, '..', '..', '..', 'sites', 'demo.yaml');
const demo = demoSiteDocument;
const problemsOf = (mutate: (site: any) => void) => siteProblemsOf(mutate);

describe('site files', () => {
  it('the demo îlot is valid: 30+ participants, an office, a school, PV on every building, one battery, one grid', () => {
    const site = loadSiteFile(demoPath);
    expect(site.participants.length).toBeGreaterThanOrEqual(30);
    expect(site.participants.some((p) => p.kind === 'business')).toBe(true);
    expect(site.participants.some((p) => p.id.startsWith('school'))).toBe(true);
    for (const building of site.buildings) expect(building.devices.some((d) => d.kind === 'pv')).toBe(true);
    expect([...site.devices.values()].filter((d) => d.kind === 'battery')).toHaveLength(1);
    expect(site.tariff.kind).toBe('hphc');
    expect(site.allocation.key).toBe('dynamic-default');
  });

  it.each([
    // The path names each listed item by its id: a newcomer reads the device, not its index in the file.
    [
      'a wrong type, with its path',
      (s: any) => (s.buildings[3].devices[2].capacityWh = 'big'),
      'buildings[school].devices[bat-1].capacityWh: ',
    ],
    [
      'an unknown field, with the field meant',
      (s: any) => (s.connection.importLimitKW = 3),
      'connection: unknown field "importLimitKW" (did you mean "importLimitW"?)',
    ],
    [
      "a device's unknown field, with the field meant for its kind",
      (s: any) => (s.buildings[3].devices[2].maxSocPcnt = 90),
      'buildings[school].devices[bat-1]: unknown field "maxSocPcnt" (did you mean "maxSocPct"?)',
    ],
    ['a bad id', (s: any) => (s.id = 'Demo Site'), 'id: must match [a-z0-9-]+'],
    ['an unknown time zone', (s: any) => (s.timezone = 'Lyon'), 'timezone: must be an IANA time zone'],
    ['a bad HC window', (s: any) => (s.tariff.hcWindows = ['22h-6h']), 'tariff.hcWindows[0]: must be "HH:MM-HH:MM"'],
    [
      'a second grid meter',
      (s: any) => s.buildings[1].devices.push({ id: 'grid-2', kind: 'grid' }),
      'exactly one device of kind "grid" is required, found 2',
    ],
    [
      // Issue 26: 20 000 meters were accepted through the API.
      'a site of 20 000 meters',
      (s: any) =>
        s.buildings[1].devices.push(
          ...Array.from({ length: 20_000 }, (_, i) => ({
            id: `m-x-${i}`,
            kind: 'meter',
            annualKWh: 1000,
            profile: 'flat',
          })),
        ),
      'devices, at most 2000 in one site: split the îlot into several sites',
    ],
    [
      'a duplicate device id',
      (s: any) => s.buildings[1].devices.push({ id: 'pv-a', kind: 'pv', peakW: 1000 }),
      'duplicate device id "pv-a"',
    ],
    [
      'a participant without its meter',
      (s: any) => (s.participants[0].meter = 'm-nowhere'),
      'participants[flat-a-101].meter: no device "m-nowhere"',
    ],
    ['a participant on a PV', (s: any) => (s.participants[0].meter = 'pv-a'), 'is a pv, not a meter'],
    [
      'SoC bounds upside down',
      (s: any) => (s.buildings[3].devices[2].minSocPct = 99),
      'minSocPct must be below maxSocPct',
    ],
    ['PV without a location', (s: any) => delete s.location, 'location: required when the site has pv devices'],
    [
      'a capacity tariff whose classes decrease',
      (s: any) => (s.connection.capacity.subscribedKVA.HCB = 100),
      'connection.capacity.subscribedKVA: each class must subscribe at least the previous one (HPH <= HCH <= HPB <= HCB)',
    ],
    [
      'a subscription above the connection',
      (s: any) => (s.connection.capacity.subscribedKVA = { HPH: 172, HCH: 172, HPB: 172, HCB: 200 }),
      "connection.capacity.subscribedKVA.HCB: 200 kVA x 0.93 is 186.0 kW, above the connection's importLimitW (160 kW)",
    ],
    [
      'a capacity tariff without HC hours under a dynamic tariff',
      (s: any) => (s.tariff = { kind: 'dynamic', seriesFile: 'prices.csv', feedInEurPerKWh: 0.1 }),
      'connection.capacity.hcWindows: required when the energy tariff has no HC hours',
    ],
    [
      'a PV array tilted past vertical',
      (s: any) => (s.buildings[0].devices.find((d: any) => d.kind === 'pv').tiltDeg = 120),
      '.tiltDeg: ',
    ],
    [
      'a PV azimuth off the compass',
      (s: any) => (s.buildings[0].devices.find((d: any) => d.kind === 'pv').azimuthDeg = 360),
      '.azimuthDeg: ',
    ],
    [
      'a forecast provider of an unknown type',
      (s: any) => (s.forecast = { providers: [{ type: 'meteo-magic' }] }),
      'forecast.providers[0]',
    ],
    [
      'an HTTP JSON forecast for a device that is not a PV array',
      (s: any) =>
        (s.forecast = {
          providers: [
            { type: 'http-json', url: 'https://x.example/pv', timeField: 't', powerField: 'w', device: 'bat-1' },
          ],
        }),
      'forecast.providers[0].device: "bat-1" is not a pv device of the site',
    ],
    [
      'a forecast provider without an address',
      (s: any) => (s.forecast = { providers: [{ type: 'open-meteo', baseUrl: 'api.open-meteo.com' }] }),
      'forecast.providers[0].baseUrl: must be an http(s) address',
    ],
    [
      'an overrun rule of neither kind',
      (s: any) => (s.connection.capacity.overrun = { eurPerMinute: 1 }),
      'connection.capacity.overrun',
    ],
  ])('refuses %s', (_case, mutate, expected) => {
    expect(problemsOf(mutate).join('\n')).toContain(expected);
  });

  it("gives a PV array's plane its defaults (30° tilt, facing south) and takes a forecast section", () => {
    const site = validateSite({
      ...demo(),
      forecast: {
        providers: [
          { type: 'open-meteo' },
          { type: 'http-json', url: 'https://x.example/pv', timeField: 't', powerField: 'w' },
        ],
      },
    });
    const pv = [...site.devices.values()].find((d) => d.kind === 'pv');
    expect(pv).toMatchObject({ tiltDeg: 30, azimuthDeg: 180 });
    expect(site.forecast).toEqual({
      providers: [
        { type: 'open-meteo' },
        {
          type: 'http-json',
          url: 'https://x.example/pv',
          timeField: 't',
          powerField: 'w',
          powerUnit: 'W',
          timeIs: 'start',
        },
      ],
      maxAgeH: 24,
    });
  });

  it('names the file and the reason when the YAML itself is broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ilot-site-'));
    const path = join(dir, 'broken.yaml');
    writeFileSync(path, 'id: demo\nname: [unclosed\n');
    expect(() => loadSiteFile(path)).toThrow(new RegExp(`${path} is not a valid site file:\\n  - not valid YAML`));
    // Regression (issue 25): the parser's snippet was cut off after "at line 6, column 1:".
    const indented = join(dir, 'indented.yaml');
    writeFileSync(indented, 'id: x\nbuildings:\n  - id: a\n    devices:\n  - { id: grid, kind: grid\n');
    expect(() => loadSiteFile(indented)).toThrow(
      'not valid YAML: Flow map in block collection must be sufficiently indented and end with a } at line 6, column 1: "- { id: grid, kind: grid"',
    );
    expect(() => loadSiteFile(join(dir, 'missing.yaml'))).toThrow(
      /missing\.yaml is not a valid site file:\n {2}- cannot read the file/,
    );
  });
});
