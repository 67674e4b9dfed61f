import type { ElectricDeviceSpec } from './site.schema';
import { powerBoundsW } from './power-bounds';

const grid = { id: 'grid', kind: 'grid' } as ElectricDeviceSpec;
const flat = (id: string, annualKWh = 2500) =>
  ({ id, kind: 'meter', annualKWh, profile: 'flat' }) as ElectricDeviceSpec;
const connection = (limitW: number) => ({ importLimitW: limitW, exportLimitW: limitW });

describe('powerBoundsW for the grid meter (issue 30 §1)', () => {
  it.each([
    ['a contract larger than all its devices: twice the contract', 100_000, [flat('a'), flat('b')], -200_000, 200_000],
    [
      // Regression (the soak): 20 flats (12 kW each at most) and a heat pump on a 19 kW contract read 91 kW at an
      // evening peak, refused when the bound was twice the contract (38 kW).
      'a small contract: what the devices behind it draw at once',
      19_000,
      [...Array.from({ length: 20 }, (_, k) => flat(`m-${k}`)), { id: 'hp', kind: 'heat_pump', ratedW: 10_000 }],
      -38_000,
      20 * 12_000 + 12_000,
    ],
    [
      'PV and a battery: injected at once (and the battery charging drawn)',
      10_000,
      [
        { id: 'pv', kind: 'pv', peakW: 50_000 },
        { id: 'b', kind: 'battery', maxChargeW: 20_000, maxDischargeW: 20_000 },
      ],
      -(60_000 + 22_000),
      0.02 * 50_000 + 22_000,
    ],
  ])('%s', (_, limitW, devices, minW, maxW) => {
    const bounds = powerBoundsW(grid, {
      connection: connection(limitW),
      devices: [grid, ...(devices as ElectricDeviceSpec[])],
    });
    expect(bounds.minW).toBeCloseTo(minW, 6);
    expect(bounds.maxW).toBeCloseTo(Math.max(maxW, 2 * limitW), 6);
  });

  it('still refuses what no site could read: a gigawatt', () => {
    const bounds = powerBoundsW(grid, { connection: connection(19_000), devices: [grid, flat('a')] });
    expect(bounds.maxW).toBeLessThan(1e9);
  });
});
