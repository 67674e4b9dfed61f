import { Logger } from '@nestjs/common';
import { copyFileSync, mkdtempSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { SiteCatalog } from './site-catalog';
import type { StoredSiteDefinition } from '@ilot/timeseries';

const shipped = (name: string) => join(__dirname, '..', '..', '..', 'sites', name);
const stored = (document: unknown): StoredSiteDefinition => ({
  siteId: (document as { id: string }).id,
  document,
  fingerprint: '',
  updatedAt: new Date(0),
});

describe('SiteCatalog: the îlots of a deployment, read again without a restart', () => {
  it('merges the folder and the stored sites (a file wins an id), says what each refresh changed, logs a refusal once', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    const dir = mkdtempSync(join(tmpdir(), 'ilot-catalog-'));
    copyFileSync(shipped('demo.yaml'), join(dir, 'demo.yaml'));
    const demoDocument = parse(readFileSync(shipped('demo.yaml'), 'utf8'));
    const konstanz = parse(readFileSync(shipped('konstanz-pair.yaml'), 'utf8'));
    const rows = [stored({ ...demoDocument, name: 'A copy' }), stored(konstanz)];
    const catalog = new SiteCatalog({ dir }, { list: async () => rows });
    const seen: string[] = [];
    catalog.changes$.subscribe((c) => seen.push(`+${c.added.length} ~${c.changed.length} -${c.removed.length}`));

    const first = await catalog.refresh();
    expect(catalog.sites().map((e) => [e.site.id, e.source])).toEqual([
      ['demo', join(dir, 'demo.yaml')],
      ['konstanz-pair', 'api:konstanz-pair'],
    ]);
    expect(first.added).toHaveLength(2);
    expect(catalog.refused()).toEqual([
      { source: 'api:demo', problems: [`id: site "demo" is already defined by ${join(dir, 'demo.yaml')}`] },
    ]);
    await catalog.refresh();
    expect(warn).toHaveBeenCalledTimes(1);

    writeFileSync(join(dir, 'broken.yaml'), 'id: broken');
    unlinkSync(join(dir, 'demo.yaml'));
    const second = await catalog.refresh();
    // The file gone, the stored copy of demo is served in its place: changed, not removed.
    expect(second.changed.map((e) => [e.site.id, e.site.name])).toEqual([['demo', 'A copy']]);
    expect(catalog.refused().map((r) => r.source)).toEqual([join(dir, 'broken.yaml')]);
    rows.pop();
    expect((await catalog.refresh()).removed).toEqual(['konstanz-pair']);
    expect(catalog.find('konstanz-pair')).toBeUndefined();
    expect(seen).toEqual(['+2 ~0 -0', '+0 ~1 -0', '+0 ~0 -1']);
    warn.mockRestore();
  });
});
