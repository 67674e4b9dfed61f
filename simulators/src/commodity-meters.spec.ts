import { loadSiteFile } from '@ilot/site';
import { CommodityMeters } from './commodity-meters';
import { ProfileTable } from './profile-table';
import { repoPath } from './repo-path';

describe('the simulated gas and water meters of the demo îlot', () => {
  const site = loadSiteFile(repoPath('sites', 'demo.yaml'));
  const profiles = ProfileTable.load();

  /** A year of readings, one an hour: each meter's sent figures in order. */
  function replayYear(): Map<string, Array<Record<string, number | string>>> {
    const meters = new CommodityMeters(site, profiles);
    const sent = new Map<string, Array<Record<string, number | string>>>();
    for (let h = 0; h <= 8760; h++)
      for (const { deviceId, payload } of meters.step(new Date(Date.UTC(2026, 0, 1) + h * 3_600_000)))
        sent.set(deviceId, [...(sent.get(deviceId) ?? []), payload]);
    return sent;
  }
  const sent = replayYear();

  it('counts over a year what the site file says each home uses (gas in m³ at its kWh/m³, water in litres), within 3 %', () => {
    const gas = site.devices.get('g-b-104') as { annualKWh: number };
    const indexes = sent.get('g-b-104')!.map((p) => p.indexM3 as number);
    const yearM3 = indexes[indexes.length - 1] - indexes[0];
    expect(yearM3 * site.commodities!.gas!.kWhPerM3).toBeGreaterThan(gas.annualKWh * 0.97);
    expect(yearM3 * site.commodities!.gas!.kWhPerM3).toBeLessThan(gas.annualKWh * 1.03);
    const water = site.devices.get('w-b-104') as { annualM3: number };
    const litres = sent.get('w-b-104')!.reduce((sum, p) => sum + (p.volumeL as number), 0);
    expect(litres / 1000).toBeGreaterThan(water.annualM3 * 0.97);
    expect(litres / 1000).toBeLessThan(water.annualM3 * 1.03);
  });

  it('burns more gas in January than in July (the outdoor temperature), and its index never goes back', () => {
    const indexes = sent.get('g-b-101')!.map((p) => p.indexM3 as number);
    const month = (from: number, to: number) => indexes[to] - indexes[from];
    expect(month(0, 744)).toBeGreaterThan(4 * month(4344, 5088));
    expect(indexes.every((v, i) => i === 0 || v >= indexes[i - 1])).toBe(true);
  });

  it('draws water in the morning and evening more than at night (local time)', () => {
    const volumes = sent.get('w-b-101')!.slice(1, 24 * 30 + 1);
    // The litres of an hourly reading flowed in the hour before it: 08:00 local (UTC+1) is 07:00 UTC.
    const atUtcHour = (hour: number) =>
      volumes
        .filter((p) => new Date(p.ts as string).getUTCHours() === hour)
        .reduce((s, p) => s + (p.volumeL as number), 0);
    expect(atUtcHour(7)).toBeGreaterThan(5 * atUtcHour(2));
  });
});
