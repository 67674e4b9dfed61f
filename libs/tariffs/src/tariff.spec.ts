import { HphcTariffSpec } from '@ilot/site';
import { localDateTime } from '@ilot/domain';
import { periodAt, priceAt } from './index';

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
