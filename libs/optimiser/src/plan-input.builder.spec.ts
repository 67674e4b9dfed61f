import { loadSiteFile } from '@ilot/site';
import { join } from 'node:path';
import { buildPlanInput } from './plan-input.builder';

const site = loadSiteFile(join(__dirname, '..', '..', '..', 'sites', 'demo.yaml'));
const now = new Date('2026-01-14T12:07:00Z');
const settings = { slotMinutes: 15, horizonSlots: 96, cyclingCostEurPerKWh: 0.03 };

function freshReadings(except: string[] = []) {
  return new Map(
    [...site.devices.values()]
      .filter((d) => !except.includes(d.id))
      .map((d) => [d.id, { ts: new Date(now.getTime() - 30_000), powerW: d.kind === 'pv' ? 5000 : 1000, socPct: d.kind === 'battery' ? 40 : null }]),
  );
}

describe('buildPlanInput', () => {
  it('starts at the slot of now, prices HP/HC in local time, takes the battery SoC', () => {
    const { input, excluded } = buildPlanInput(site, { latest: freshReadings(), consumptionHistory: [] }, now, settings);
    expect(input.slots).toHaveLength(96);
    expect(input.slots[0].start.toISOString()).toBe('2026-01-14T12:00:00.000Z');
    expect(input.slots[0].importEurPerKWh).toBe(0.27); // 13:00 local: HP
    expect(input.slots.find((s) => s.start.toISOString() === '2026-01-14T21:00:00.000Z')!.importEurPerKWh).toBe(0.2068); // 22:00 local: HC
    expect(input.batteries.map((b) => [b.id, b.socPct])).toEqual([['bat-1', 40]]);
    expect(excluded).toEqual([]);
  });

  it('names stale inputs instead of using them silently, and leaves out a battery without a fresh SoC', () => {
    const { input, excluded } = buildPlanInput(site, { latest: freshReadings(['m-a-101', 'pv-b', 'bat-1']), consumptionHistory: [] }, now, settings);
    expect(excluded).toEqual(expect.arrayContaining(['m-a-101: no fresh reading', 'pv-b: no fresh reading', 'bat-1: no fresh state of charge']));
    expect(excluded).toHaveLength(3);
    expect(input.batteries).toEqual([]);
    // The missing meter's consumption is estimated from the fresh ones (all read 1000 W here).
    const consumers = [...site.devices.values()].filter((d) => ['meter', 'heat_pump', 'ev_charger', 'flexible_load'].includes(d.kind)).length;
    expect(input.slots[0].consumptionW).toBeCloseTo(consumers * 1000, 6);
  });
});
