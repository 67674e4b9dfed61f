import { loadSiteFile } from '@ilot/site';
import { join } from 'node:path';
import { IlotWorld } from './ilot-world';
import { ProfileTable } from './profile-table';
import { WorldBatteryPort, WorldPvPort } from './world-device-ports';

const site = loadSiteFile(join(__dirname, '..', '..', 'sites', 'demo.yaml'));
const profiles = ProfileTable.load();
/** A sunny June noon (UTC), and a clock at it running 60 times real time. */
const NOON = new Date('2026-06-17T11:00:00Z');
const clock = { now: () => NOON, speedup: 60 };
const reading = (readings: ReturnType<IlotWorld['step']>, id: string) =>
  readings.find((r) => r.deviceId === id)!.powerW;

describe("the îlot seen through a device's own controls (npm start behind the gateway)", () => {
  it('a PV cap holds in the world for its moment: the array and the grid meter both count it', () => {
    const free = new IlotWorld(site, profiles, 50);
    const capped = new IlotWorld(site, profiles, 50);
    const port = new WorldPvPort(capped, 'pv-a', { now: () => NOON, speedup: 60 });
    expect(port.availableW).toBeGreaterThan(5000);
    port.cap(2000, 1000); // 1 s real = 1 min simulated
    const [a, b] = [free.step(NOON), capped.step(NOON)];
    expect(reading(b, 'pv-a')).toBe(2000);
    // The connection without the battery (which on its own rule makes up for the PV lost): up by what was curtailed.
    const withoutBattery = (readings: typeof a) => reading(readings, 'grid') + reading(readings, 'bat-1');
    expect(withoutBattery(b) - withoutBattery(a)).toBeCloseTo(reading(a, 'pv-a') - 2000, 6);
    // Past its moment the array makes what the sun gives again.
    const later = new Date(NOON.getTime() + 120_000);
    expect(reading(capped.step(later), 'pv-a')).toBeCloseTo(reading(free.step(later), 'pv-a'), 6);
  });

  it("a battery power held is the world battery's, then it runs its own rule again", () => {
    const world = new IlotWorld(site, profiles, 50);
    const port = new WorldBatteryPort(world, 'bat-1', clock);
    world.step(NOON);
    port.hold(-20_000, 1000);
    expect(reading(world.step(new Date(NOON.getTime() + 5_000)), 'bat-1')).toBe(-20_000);
    expect(port.powerW).toBe(-20_000);
    expect(world.controllerModes(new Date(NOON.getTime() + 120_000))).toContainEqual(['bat-1', 'fallback']);
  });

  it('refuses a device that is not of its kind', () => {
    const world = new IlotWorld(site, profiles, 50);
    expect(() => new WorldPvPort(world, 'bat-1', clock)).toThrow('"bat-1" is not a PV array of site "demo"');
    expect(() => new WorldBatteryPort(world, 'pv-a', clock)).toThrow('"pv-a" is not a battery of site "demo"');
  });
});
