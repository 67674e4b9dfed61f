import { loadSiteFile } from '@ilot/site';
import type { ReplayKpis } from '@ilot/simulators';
import { join } from 'node:path';
import { batteryValueLines } from './battery-value';

const site = loadSiteFile(join(__dirname, '..', '..', '..', 'sites', 'demo.yaml'));
const kpis = (strategy: string, costNetOfStorageEur: number) => ({ strategy, costNetOfStorageEur }) as ReplayKpis;

describe('is the battery worth it? (issue 27 §6)', () => {
  const week = [kpis('optimised', 900), kpis('no-battery', 950), kpis('idle', 1000)];

  it('says what the batteries and the load control each earn, a week scaled to a year and said so', () => {
    expect(batteryValueLines(site, 7, week)).toEqual([
      `per year (7 day(s) x 52.1: one season's figures, not a year's): the batteries earn 2607 EUR (no-battery - optimised), load control 2607 EUR (idle - no-battery)`,
    ]);
  });

  it('gives the payback for a capex per kWh, and never when the batteries earn nothing', () => {
    const capacityKWh =
      [...site.devices.values()].reduce((s, d) => s + (d.kind === 'battery' ? d.capacityWh : 0), 0) / 1000;
    expect(batteryValueLines(site, 365, week, 400)[1]).toBe(
      `batteries' payback at 400 EUR/kWh (${capacityKWh.toFixed(0)} kWh, ${(400 * capacityKWh).toFixed(0)} EUR): ${((400 * capacityKWh) / 50).toFixed(1)} years`,
    );
    expect(batteryValueLines(site, 365, [kpis('optimised', 960), ...week.slice(1)], 400)[1]).toMatch(/never/);
  });

  it('says nothing without the three strategies (a site without batteries)', () => {
    expect(batteryValueLines(site, 7, [kpis('optimised', 900), kpis('idle', 1000)])).toEqual([]);
  });
});
