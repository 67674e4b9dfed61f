import { electricDevices, gridDeviceId, loadSiteFile } from '@ilot/site';
import { join } from 'node:path';
import { IlotWorld } from './ilot-world';
import { ProfileTable } from './profile-table';

const site = loadSiteFile(join(__dirname, '..', '..', 'sites', 'demo.yaml'));
const profiles = ProfileTable.load();
const MINUTE = 60_000;

describe('IlotWorld on the demo site and the shipped profiles', () => {
  it('reads the grid as consumption - PV - battery at every step, over a whole day', () => {
    const world = new IlotWorld(site, profiles);
    const start = Date.parse('2026-06-17T00:00:00Z');
    for (let t = start; t < start + 86_400_000; t += 5 * MINUTE) {
      const readings = world.step(new Date(t));
      expect(readings).toHaveLength(electricDevices(site).length);
      const byKind = (kinds: string[]) =>
        readings.filter((r) => kinds.includes(site.devices.get(r.deviceId)!.kind)).reduce((s, r) => s + r.powerW, 0);
      const grid = readings.find((r) => r.deviceId === gridDeviceId(site))!.powerW;
      const balance =
        byKind(['meter', 'heat_pump', 'ev_charger', 'flexible_load']) - byKind(['pv']) - byKind(['battery']);
      // Each published value is rounded to 0.1 W.
      expect(Math.abs(grid - balance)).toBeLessThanOrEqual(0.05 * readings.length + 1e-6);
    }
  });

  it('produces PV at a June noon and none at midnight, more consumption on a January evening than at night', () => {
    const world = new IlotWorld(site, profiles);
    const pv = (iso: string) =>
      world.powerW(
        electricDevices(site).find((d) => d.id === 'pv-school')!,
        new Date(iso),
      );
    expect(pv('2026-06-17T11:30:00Z')).toBeGreaterThan(10_000);
    expect(pv('2026-06-17T23:30:00Z')).toBe(0);
    const flat = (iso: string) =>
      world.powerW(
        electricDevices(site).find((d) => d.id === 'm-a-101')!,
        new Date(iso),
      );
    const evening = [0, 1, 2, 3].map((d) => flat(`2026-01-1${d + 2}T18:30:00Z`)).reduce((a, b) => a + b);
    const night = [0, 1, 2, 3].map((d) => flat(`2026-01-1${d + 2}T03:30:00Z`)).reduce((a, b) => a + b);
    expect(evening).toBeGreaterThan(night);
  });

  it('follows a valid setpoint with SoC physics, then falls back to self-consumption when it expires', () => {
    const world = new IlotWorld(site, profiles, 50);
    const battery = world.batteries.get('bat-1')!;
    const t0 = Date.parse('2026-01-14T02:00:00Z');
    const decision = battery.controller.receive(
      {
        cmdId: '00000000-0000-4000-8000-000000000001',
        type: 'battery.setpoint',
        issuedAt: new Date(t0).toISOString(),
        validFrom: new Date(t0).toISOString(),
        validUntil: new Date(t0 + 60 * MINUTE).toISOString(),
        setpointW: -40_000,
        reason: 'tariff',
      },
      new Date(t0),
    );
    expect(decision).toEqual({ status: 'applied' });
    world.step(new Date(t0));
    for (let t = t0 + MINUTE; t <= t0 + 30 * MINUTE; t += MINUTE) world.step(new Date(t));
    // 40 kW for 30 min at 95 % into 200 kWh: +9.5 %
    expect(battery.socPct).toBeCloseTo(50 + 9.5, 1);
    expect(battery.lastMode).toBe('command');
    world.step(new Date(t0 + 61 * MINUTE));
    expect(battery.lastMode).toBe('fallback');
    // At night with no PV, self-consumption discharges: never charges from the grid.
    expect(battery.powerW).toBeGreaterThan(0);
  });

  it('applies a cmdId at most once and refuses expired or out-of-range commands', () => {
    const world = new IlotWorld(site, profiles);
    const controller = world.batteries.get('bat-1')!.controller;
    const now = new Date('2026-01-14T02:00:00Z');
    const base = {
      type: 'battery.setpoint' as const,
      issuedAt: now.toISOString(),
      validFrom: now.toISOString(),
      validUntil: '2026-01-14T03:00:00Z',
      reason: 'test',
    };
    expect(
      controller.receive({ ...base, cmdId: '00000000-0000-4000-8000-000000000002', setpointW: 1000 }, now),
    ).toEqual({ status: 'applied' });
    // Sent again (its ack was lost): the same answer, not applied a second time.
    expect(
      controller.receive({ ...base, cmdId: '00000000-0000-4000-8000-000000000002', setpointW: 1000 }, now),
    ).toEqual({ status: 'applied' });
    expect(controller.applied).toBe(1);
    expect(
      controller.receive(
        { ...base, cmdId: '00000000-0000-4000-8000-000000000003', setpointW: 1000, validUntil: '2026-01-14T01:00:00Z' },
        now,
      ),
    ).toMatchObject({ status: 'rejected' });
    expect(
      controller.receive({ ...base, cmdId: '00000000-0000-4000-8000-000000000004', setpointW: 500_000 }, now),
    ).toMatchObject({ status: 'rejected' });
  });

  it('refuses a command under an older lease token than one it applied (a planner that lost the site)', () => {
    const world = new IlotWorld(site, profiles);
    const controller = world.batteries.get('bat-1')!.controller;
    const now = new Date('2026-01-14T02:00:00Z');
    const command = (n: number, leaseToken: number | undefined, setpointW: number) => ({
      type: 'battery.setpoint' as const,
      cmdId: `00000000-0000-4000-8000-00000000001${n}`,
      issuedAt: now.toISOString(),
      validFrom: now.toISOString(),
      validUntil: '2026-01-14T03:00:00Z',
      reason: 'test',
      setpointW,
      ...(leaseToken === undefined ? {} : { leaseToken }),
    });
    expect(controller.receive(command(1, 4, 1000), now)).toEqual({ status: 'applied' });
    expect(controller.receive(command(2, 3, -2000), now)).toEqual({
      status: 'rejected',
      reason: 'leaseToken 3 is older than 4: the planner lost the site',
    });
    expect(controller.receive(command(3, 4, 2000), now)).toEqual({ status: 'applied' });
    expect(controller.receive(command(4, 5, 3000), now)).toEqual({ status: 'applied' });
    expect(controller.receive(command(5, 4, 0), now)).toMatchObject({ status: 'rejected' });
    expect(controller.applied).toBe(3);
  });
});
