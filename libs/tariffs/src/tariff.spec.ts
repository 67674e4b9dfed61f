import { HphcTariffSpec } from '@ilot/site';
import {
  isMonth,
  localDateTime,
  localDayStart,
  localMonth,
  localMonthRange,
  periodAt,
  priceAt,
  shiftMonth,
} from './index';

const hphc: HphcTariffSpec = {
  kind: 'hphc',
  hpEurPerKWh: 0.27,
  hcEurPerKWh: 0.2068,
  hcWindows: ['22:00-06:00'],
  feedInEurPerKWh: 0.1,
};
const zone = 'Europe/Paris';

describe('HP/HC periods in local time', () => {
  it.each([
    // UTC instant, expected period (Paris is UTC+1 in winter, UTC+2 in summer)
    ['2026-01-15T20:59:00Z', 'HP'], // 21:59 local
    ['2026-01-15T21:00:00Z', 'HC'], // 22:00 local
    ['2026-01-16T04:59:00Z', 'HC'], // 05:59 local
    ['2026-01-16T05:00:00Z', 'HP'], // 06:00 local
    ['2026-07-15T19:59:00Z', 'HP'], // 21:59 local (CEST)
    ['2026-07-15T20:00:00Z', 'HC'], // 22:00 local (CEST)
    ['2026-07-16T04:00:00Z', 'HP'], // 06:00 local (CEST)
  ])('%s is %s', (iso, expected) => {
    expect(periodAt(new Date(iso), hphc.hcWindows, zone)).toBe(expected);
  });

  it('counts 92 quarter-hours on 2026-03-29 and 100 on 2026-10-25, with HC starting at 22:00 local both days', () => {
    for (const [day, expectedSlots, startUtc] of [
      ['2026-03-29', 92, '2026-03-28T23:00:00Z'],
      ['2026-10-25', 100, '2026-10-24T22:00:00Z'],
    ] as const) {
      const slots: Date[] = [];
      for (let t = new Date(startUtc).getTime(); localDateTime(new Date(t), zone).date === day; t += 900_000)
        slots.push(new Date(t));
      expect(slots).toHaveLength(expectedSlots);
      const hcCount = slots.filter((s) => priceAt(s, hphc, zone).period === 'HC').length;
      // 00:00-06:00 and 22:00-24:00 local: 8 h of HC, minus or plus the hour that the change removes or adds in the night.
      expect(hcCount).toBe(expectedSlots === 92 ? 7 * 4 : 9 * 4);
    }
  });

  it('prices feed-in with the site feed-in tariff whatever the period', () => {
    expect(priceAt(new Date('2026-01-15T12:00:00Z'), hphc, zone)).toEqual({
      period: 'HP',
      importEurPerKWh: 0.27,
      exportEurPerKWh: 0.1,
    });
  });
});

describe('localDayStart', () => {
  it.each([
    ['2026-01-15', '2026-01-14T23:00:00.000Z', 24],
    ['2026-03-29', '2026-03-28T23:00:00.000Z', 23],
    ['2026-07-15', '2026-07-14T22:00:00.000Z', 24],
    ['2026-10-25', '2026-10-24T22:00:00.000Z', 25],
  ])('%s starts at %s in Paris and lasts %i hours', (date, startIso, hours) => {
    const start = localDayStart(date, zone);
    expect(start.toISOString()).toBe(startIso);
    const next = localDayStart(new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10), zone);
    expect((next.getTime() - start.getTime()) / 3_600_000).toBe(hours);
  });
});

describe('local months', () => {
  it.each([
    ['2026-01', -1, '2025-12'],
    ['2026-12', 1, '2027-01'],
    ['2026-10', 0, '2026-10'],
    ['2026-03', -14, '2025-01'],
  ])('%s shifted by %d is %s', (month, delta, expected) => {
    expect(shiftMonth(month, delta)).toBe(expected);
  });

  it('reads YYYY-MM only', () => {
    expect(['2026-01', '2026-12', '2000-01', '2099-12'].map(isMonth)).toEqual([true, true, true, true]);
    // Regression (probe): months PostgreSQL or Intl cannot hold were 500s; the product's years are 2000-2099.
    expect(['0000-01', '9999-12', '1999-12', '2100-01'].map(isMonth)).toEqual([false, false, false, false]);
    expect(['2026-1', '2026-13', '2026-00', '26-01', '2026-01-01', ' 2026-01'].map(isMonth)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('puts an instant in its local month: 23:30Z on 31 January is February in Paris', () => {
    expect(localMonth(new Date('2026-01-31T22:59:00Z'), 'Europe/Paris')).toBe('2026-01');
    expect(localMonth(new Date('2026-01-31T23:30:00Z'), 'Europe/Paris')).toBe('2026-02');
  });

  it('spans from local midnight of the 1st to the next month’s, 31 days and one hour for October in Paris', () => {
    const { from, to } = localMonthRange('2026-10', 'Europe/Paris');
    expect(from.toISOString()).toBe('2026-09-30T22:00:00.000Z');
    expect(to.toISOString()).toBe('2026-10-31T23:00:00.000Z');
  });
});
