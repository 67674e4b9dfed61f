import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SiteValidationError } from './site';
import { siteFromDocument } from './site-document';
import { loadSitesDir, siteDefinitionChanges } from './sites-dir';

const shipped = (name: string) => join(__dirname, '..', '..', '..', 'sites', name);
const folder = () => mkdtempSync(join(tmpdir(), 'ilot-sites-'));

describe('loadSitesDir: many îlots from one folder', () => {
  it('takes every site file in name order, and refuses a bad one with its reasons without stopping the others', () => {
    const dir = folder();
    copyFileSync(shipped('demo.yaml'), join(dir, 'a-demo.yaml'));
    copyFileSync(shipped('konstanz-pair.yaml'), join(dir, 'b-konstanz.yml'));
    writeFileSync(join(dir, 'c-broken.yaml'), 'id: Bad Id\nname: x\n');
    writeFileSync(join(dir, 'd-not-yaml.json'), '{"id": ');
    writeFileSync(join(dir, 'notes.txt'), 'not a site');
    const load = loadSitesDir(dir);
    expect(load.sites.map((s) => [s.site.id, s.source])).toEqual([
      ['demo', join(dir, 'a-demo.yaml')],
      ['konstanz-pair', join(dir, 'b-konstanz.yml')],
    ]);
    expect(load.refused.map((r) => r.source)).toEqual([join(dir, 'c-broken.yaml'), join(dir, 'd-not-yaml.json')]);
    expect(load.refused[0].problems).toContain('id: must match [a-z0-9-]+');
    expect(load.refused[1].problems[0]).toMatch(/^not valid YAML/);
  });

  it('refuses a second file with an id already taken, naming the file that has it', () => {
    const dir = folder();
    copyFileSync(shipped('demo.yaml'), join(dir, 'a.yaml'));
    copyFileSync(shipped('demo.yaml'), join(dir, 'b.yaml'));
    const load = loadSitesDir(dir);
    expect(load.sites).toHaveLength(1);
    expect(load.refused).toEqual([
      { source: join(dir, 'b.yaml'), problems: [`id: site "demo" is already defined by ${join(dir, 'a.yaml')}`] },
    ]);
  });

  it('says so when the folder cannot be read', () => {
    const load = loadSitesDir(join(folder(), 'missing'));
    expect(load.sites).toEqual([]);
    expect(load.refused[0].problems[0]).toMatch(/^cannot read the folder: ENOENT/);
  });
});

describe('siteDefinitionChanges: what a new load changes', () => {
  it('lists the sites added, changed (another document) and removed, and nothing for an untouched one', () => {
    const dir = folder();
    copyFileSync(shipped('demo.yaml'), join(dir, 'demo.yaml'));
    copyFileSync(shipped('konstanz-pair.yaml'), join(dir, 'konstanz.yaml'));
    const before = loadSitesDir(dir).sites;
    expect(siteDefinitionChanges(before, loadSitesDir(dir).sites)).toEqual({ added: [], changed: [], removed: [] });
    const demo = readFileSync(join(dir, 'demo.yaml'), 'utf8').replace('exportLimitW: 100000', 'exportLimitW: 90000');
    writeFileSync(join(dir, 'demo.yaml'), demo);
    writeFileSync(join(dir, 'konstanz.yaml'), 'id: nope');
    copyFileSync(shipped('template.yaml'), join(dir, 'template.yaml'));
    const after = loadSitesDir(dir);
    expect(after.refused.map((r) => r.source)).toEqual([join(dir, 'konstanz.yaml')]);
    const changes = siteDefinitionChanges(before, after.sites);
    expect(changes.added.map((s) => s.site.id)).toEqual([after.sites[1].site.id]);
    expect(changes.changed.map((s) => [s.site.id, s.site.connection.exportLimitW])).toEqual([['demo', 90_000]]);
    expect(changes.removed).toEqual(['konstanz-pair']);
  });
});

describe('siteFromDocument: a site sent as JSON', () => {
  const demo = () => parse(readFileSync(shipped('demo.yaml'), 'utf8')) as Record<string, unknown>;

  it('validates it as the file is, with the same messages, and fingerprints the document', () => {
    const entry = siteFromDocument(demo(), 'api');
    expect(entry.site.id).toBe('demo');
    expect(entry.fingerprint).toBe(siteFromDocument(demo(), 'api').fingerprint);
    expect(entry.fingerprint).not.toBe(siteFromDocument({ ...demo(), name: 'Other' }, 'api').fingerprint);
    expect(() => siteFromDocument({ ...demo(), timezone: 'Mars/Olympus' }, 'api')).toThrow(SiteValidationError);
    try {
      siteFromDocument({ ...demo(), id: 'Bad Id' }, 'api');
    } catch (error) {
      expect((error as SiteValidationError).problems).toEqual(['id: must match [a-z0-9-]+']);
    }
    expect.assertions(5);
  });

  it('refuses a dynamic tariff, whose prices only a file beside a site file can give', () => {
    const site = demo();
    const connection = site.connection as { capacity: Record<string, unknown> };
    const capacity = { ...connection.capacity, hcWindows: ['22:00-06:00'] };
    const tariff = { kind: 'dynamic', seriesFile: 'prices.csv', feedInEurPerKWh: 0.1 };
    const dynamic = { ...site, connection: { ...connection, capacity }, tariff };
    expect(() => siteFromDocument(dynamic, 'api')).toThrow(
      /tariff.kind: a dynamic tariff reads its prices from a file/,
    );
  });
});
