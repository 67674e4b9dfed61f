import { generateSiteDocuments } from './generate-sites';
import { validateSite } from './site';

describe('generateSiteDocuments: a fleet of îlots of varied sizes', () => {
  const fleet = generateSiteDocuments(20, 7);
  const sites = fleet.map((document) => validateSite(document, String(document.id)));

  it('gives valid sites, with unique ids, the same fleet for the same seed and another for another seed', () => {
    expect(new Set(sites.map((s) => s.id)).size).toBe(20);
    expect(generateSiteDocuments(20, 7)).toEqual(fleet);
    expect(generateSiteDocuments(20, 8)).not.toEqual(fleet);
  });

  it('varies in size, holds 1000 devices and more over 20 îlots, most with PV and a battery', () => {
    const devices = sites.map((s) => s.devices.size);
    expect(devices.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(1000);
    expect(Math.max(...devices) / Math.min(...devices)).toBeGreaterThan(3);
    const withKind = (kind: string) => sites.filter((s) => [...s.devices.values()].some((d) => d.kind === kind)).length;
    expect(withKind('pv')).toBeGreaterThanOrEqual(15);
    expect(withKind('battery')).toBeGreaterThanOrEqual(10);
    expect(withKind('ev_charger')).toBeGreaterThanOrEqual(10);
  });
});
