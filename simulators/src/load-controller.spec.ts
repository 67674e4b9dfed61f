import { LoadController } from './load-controller';

const at = (minutes: number) => new Date(Date.UTC(2026, 0, 14, 12, minutes));
const limit = (maxW: number, untilMinutes: number) => ({
  cmdId: `c-${maxW}-${untilMinutes}`,
  type: 'load.limit' as const,
  issuedAt: at(0).toISOString(),
  validFrom: at(0).toISOString(),
  validUntil: at(untilMinutes).toISOString(),
  maxW,
  reason: 'test',
});

describe('a sheddable load controller', () => {
  it('caps the load under a limit and makes up what it owed once the limit lapses (the rebound)', () => {
    const load = new LoadController({ id: 'hp', ratedW: 10_000, recoveryRatio: 1 });
    load.receive(limit(2000, 60), at(0));
    expect(load.powerW(at(0), 6000, 1)).toBe(2000);
    expect(load.debtWh).toBe(4000);
    expect(load.powerW(at(60), 6000, 1)).toBe(10_000);
    expect(load.debtWh).toBe(0);
  });

  it('regression (issue 27): owes no more than its comfort allows, then draws what it needs whatever the limit', () => {
    // A heat pump shed by 8 kW for 90 min at most: 12 kWh of comfort.
    const load = new LoadController({ id: 'hp', ratedW: 14_000, recoveryRatio: 1, maxDebtWh: 12_000 });
    load.receive(limit(0, 6 * 60), at(0));
    const drawn = Array.from({ length: 6 }, (_, h) => load.powerW(at(h * 60), 8000, 1));
    // 8 kWh owed in the first hour, 4 more in the second (half shed), then nothing more: it runs at its demand.
    expect(drawn).toEqual([0, 4000, 8000, 8000, 8000, 8000]);
    expect(load.debtWh).toBe(12_000);
    expect(load.shedWh).toBe(12_000);
  });

  it('makes up what it owes under a limit above its demand, no further than the limit', () => {
    const load = new LoadController({ id: 'hp', ratedW: 10_000, recoveryRatio: 1, maxDebtWh: 12_000 });
    load.receive(limit(1000, 60), at(0));
    load.powerW(at(0), 5000, 1); // 4 kWh owed
    load.receive({ ...limit(7000, 120), cmdId: 'c-recover' }, at(60));
    expect(load.powerW(at(60), 5000, 1)).toBe(7000);
    expect(load.debtWh).toBe(2000);
  });
});
