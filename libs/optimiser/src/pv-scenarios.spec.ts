import { devicesOfKind, loadSiteFile } from '@ilot/site';
import { join } from 'node:path';
import { pastClearness } from './forecast-uncertainty';
import { pvScenariosOf, PV_SCENARIO_QUANTILES } from './pv-scenarios';

const site = loadSiteFile(join(__dirname, '..', '..', '..', 'sites', 'demo.yaml'));
const arrays = devicesOfKind(site, 'pv');
const peakW = arrays.reduce((sum, pv) => sum + pv.peakW, 0);
/** A midday slot at 60 % of each array's peak a day ahead, a night slot, and the slot in progress at midday. */
const pvs = arrays.map((pv) => ({ id: pv.id, forecastW: [0.6 * pv.peakW, 0, 0.6 * pv.peakW] }));
const now = new Date('2026-01-12T12:05:00Z');
const slotStarts = [
  new Date('2026-01-13T12:00:00Z'),
  new Date('2026-01-13T00:00:00Z'),
  new Date('2026-01-12T12:00:00Z'),
];
/** Seven January days of the same shape, each as bright as its factor. */
function history(factors: number[]) {
  return factors.flatMap((factor, day) =>
    Array.from({ length: 24 }, (_, k) => ({
      at: new Date(Date.UTC(2026, 0, 5 + day, 9, 0) + k * 900_000),
      powerW: factor * 0.5 * peakW * Math.sin((Math.PI * (k + 0.5)) / 24),
    })),
  );
}

describe('pvScenariosOf: the PV forecast’s outcomes a two-stage plan weighs (issue 27)', () => {
  it('spreads the forecast by the past days’ clearness: a dull and a bright outcome around it, night left at night', () => {
    const observations = {
      latest: new Map(),
      consumptionHistory: [],
      pvHistory: history([0.2, 0.5, 0.8, 1, 1, 0.9, 0.6]),
    };
    const scenarios = pvScenariosOf(site, pastClearness(site, observations, 15), pvs, new Map(), slotStarts, now);
    expect(scenarios.map((s) => [s.name, s.probability])).toEqual(
      PV_SCENARIO_QUANTILES.map((q) => [q.name, q.probability]),
    );
    const [dull, bright] = scenarios;
    pvs.forEach((pv, k) => {
      expect(dull.forecastW[k][0]).toBeLessThan(pv.forecastW[0]);
      expect(dull.forecastW[k][0]).toBeGreaterThan(0);
      expect(bright.forecastW[k][0]).toBeGreaterThan(pv.forecastW[0]);
      expect(bright.forecastW[k][0]).toBeLessThanOrEqual(arrays[k].inverterW ?? arrays[k].peakW);
      expect([dull.forecastW[k][1], bright.forecastW[k][1]]).toEqual([0, 0]);
      // The slot in progress is known from what the array makes now: every outcome shares it.
      expect([dull.forecastW[k][2], bright.forecastW[k][2]]).toEqual([pv.forecastW[2], pv.forecastW[2]]);
    });
    // The 10 % quantile of these seven days (0.2 + 0.6 x (0.5 - 0.2) = 0.38) over their mean (5 / 7): 0.53, a day
    // ahead (1 - e^(-24 h / 3 h) of the spread).
    expect(dull.forecastW[0][0] / pvs[0].forecastW[0]).toBeCloseTo(0.53, 1);
  });

  it('gives none where nothing measured spreads the forecast (no history): the central plan alone', () => {
    expect(
      pvScenariosOf(
        site,
        pastClearness(site, { latest: new Map(), consumptionHistory: [] }, 15),
        pvs,
        new Map(),
        slotStarts,
        now,
      ),
    ).toEqual([]);
  });
});
