import { applyBatteryPower, BatteryParameters } from './battery-physics';

const battery: BatteryParameters = {
  capacityWh: 100_000,
  maxChargeW: 50_000,
  maxDischargeW: 40_000,
  minSocPct: 10,
  maxSocPct: 90,
  chargeEfficiency: 0.9,
  dischargeEfficiency: 0.8,
};

describe('applyBatteryPower', () => {
  it.each([
    // [case, socPct, requestedW, hours, expected powerW, expected socPct]
    ['discharge within limits', 50, 20_000, 1, 20_000, 50 - 25],
    ['discharge capped by rating', 50, 90_000, 0.25, 40_000, 50 - 12.5],
    ['discharge capped by energy above minSoc', 15, 40_000, 1, 4_000, 10],
    ['charge within limits', 50, -10_000, 1, -10_000, 59],
    ['charge capped by rating', 20, -80_000, 0.25, -50_000, 20 + 11.25],
    ['charge capped by room below maxSoc', 89.1, -50_000, 1, -1_000, 90],
    ['idle', 42, 0, 1, 0, 42],
  ])('%s', (_case, socPct, requestedW, hours, expectedW, expectedSoc) => {
    const result = applyBatteryPower(battery, socPct, requestedW, hours);
    expect(result.powerW).toBeCloseTo(expectedW, 6);
    expect(result.socPct).toBeCloseTo(expectedSoc, 6);
    expect(result.socPct).toBeGreaterThanOrEqual(battery.minSocPct - 1e-9);
    expect(result.socPct).toBeLessThanOrEqual(battery.maxSocPct + 1e-9);
  });
});
