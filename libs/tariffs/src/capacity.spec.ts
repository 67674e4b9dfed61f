import type { CapacityTariffSpec, HphcTariffSpec } from '@ilot/site';
import { capacityClassAt, contractedImportW, overrunCostEur, subscriptionCostEur } from './capacity';

const tariff: HphcTariffSpec = {
  kind: 'hphc',
  hpEurPerKWh: 0.27,
  hcEurPerKWh: 0.2068,
  hcWindows: ['22:00-06:00'],
  feedInEurPerKWh: 0.1,
};
const capacity: CapacityTariffSpec = {
  subscribedKVA: { HPH: 100, HCH: 120, HPB: 120, HCB: 150 },
  eurPerKVAYear: { HPH: 30, HCH: 20, HPB: 15, HCB: 10 },
  overrun: { eurPerHour: 11.75 },
  powerFactor: 0.93,
  winterMonths: [11, 12, 1, 2, 3],
};
const site = (c: CapacityTariffSpec = capacity) => ({
  timezone: 'Europe/Paris',
  tariff,
  connection: { importLimitW: 200_000, exportLimitW: 100_000, capacity: c },
});

describe('capacity tariff (TURPE BT > 36 kVA style)', () => {
  it.each([
    ['2026-01-15T12:00:00Z', 'HPH', 93_000], // winter, 13:00 local
    ['2026-01-15T22:00:00Z', 'HCH', 111_600], // winter, 23:00 local
    ['2026-07-15T10:00:00Z', 'HPB', 111_600], // summer, 12:00 local
    ['2026-07-15T21:00:00Z', 'HCB', 139_500], // summer, 23:00 local
  ])('%s is in class %s, contracted power %d W (kVA x 0.93)', (iso, timeClass, watts) => {
    expect(capacityClassAt(new Date(iso), site())).toBe(timeClass);
    expect(contractedImportW(new Date(iso), site())).toBeCloseTo(watts, 6);
  });

  it('takes the month in local time: 31 March 23:59 in Paris is winter, 1 April 00:00 is summer', () => {
    expect(capacityClassAt(new Date('2026-03-31T21:59:00Z'), site())).toBe('HCH');
    expect(capacityClassAt(new Date('2026-03-31T22:00:00Z'), site())).toBe('HCB');
  });

  it('never contracts above the connection, and without a capacity tariff the connection is the contract', () => {
    const big = { ...capacity, subscribedKVA: { HPH: 300, HCH: 300, HPB: 300, HCB: 300 } };
    expect(contractedImportW(new Date('2026-01-15T12:00:00Z'), site(big))).toBe(200_000);
    const none = { timezone: 'Europe/Paris', tariff, connection: { importLimitW: 160_000, exportLimitW: 0 } };
    expect(contractedImportW(new Date('2026-01-15T12:00:00Z'), none)).toBe(160_000);
    expect(overrunCostEur([{ start: new Date('2026-01-15T12:00:00Z'), hours: 1, importW: 1e9 }], none)).toBe(0);
  });

  it('prices the subscription differentially: the first class in full, each next one on its increase', () => {
    // 100 x 30 + 20 x 20 + 0 x 15 + 30 x 10 = 3700 EUR a year.
    expect(subscriptionCostEur(capacity, 365)).toBeCloseTo(3700, 9);
    expect(subscriptionCostEur(capacity, 7)).toBeCloseTo((3700 * 7) / 365, 9);
  });

  it("counts overrun hours on 15-min means against each one's own class", () => {
    const q = (iso: string, importW: number) => ({ start: new Date(iso), hours: 0.25, importW });
    const intervals = [
      q('2026-01-15T12:00:00Z', 95_000), // HPH 93 kW: overrun
      q('2026-01-15T12:15:00Z', 95_000), // overrun
      q('2026-01-15T22:00:00Z', 95_000), // HCH 111.6 kW: none
      q('2026-07-15T21:00:00Z', 140_000), // HCB 139.5 kW: overrun
    ];
    expect(overrunCostEur(intervals, site())).toBeCloseTo(0.75 * 11.75, 9);
  });

  it("regression (issue 27): a mean within the meter's resolution of the contract (floating-point noise) is no overrun", () => {
    const q = (iso: string, importW: number) => ({ start: new Date(iso), hours: 0.25, importW });
    expect(overrunCostEur([q('2026-01-15T12:00:00Z', 93_000 + 0.9)], site())).toBe(0);
    expect(overrunCostEur([q('2026-01-15T12:00:00Z', 93_000 + 1.5)], site())).toBeCloseTo(0.25 * 11.75, 9);
  });

  it("or per kW of each month's highest overrun", () => {
    const perKW = { ...capacity, overrun: { eurPerKW: 10 } };
    const q = (iso: string, importW: number) => ({ start: new Date(iso), hours: 0.25, importW });
    const intervals = [
      q('2026-01-15T12:00:00Z', 95_000), // 2 kW over in January
      q('2026-01-16T12:00:00Z', 103_000), // 10 kW over in January: the month's highest
      q('2026-07-15T21:00:00Z', 142_500), // 3 kW over in July
    ];
    expect(overrunCostEur(intervals, site(perKW))).toBeCloseTo(10 * 10 + 3 * 10, 6);
  });
});
