import { CLEARNESS_DAY_DECAY, recentClearness } from './pv-forecast';
import { clearSkyPvWPerKWp, DEFAULT_ROOFTOP } from './solar-geometry';

const array = { latitudeDeg: 45.74, longitudeDeg: 4.82, ...DEFAULT_ROOFTOP };
const peakW = 10_000;
/** A day of 15-min samples at `clearness` x clear sky, `daysAgo` days before 2026-06-17 00:00 UTC. */
const dayAt = (daysAgo: number, clearness: number) =>
  Array.from({ length: 96 }, (_, i) => {
    const at = new Date(Date.UTC(2026, 5, 17 - daysAgo, 0, i * 15));
    const mid = new Date(at.getTime() + 7.5 * 60_000);
    return { at, powerW: clearness * clearSkyPvWPerKWp(mid, array) * (peakW / 1000) };
  });
const now = new Date(Date.UTC(2026, 5, 17));

describe('recentClearness', () => {
  it('is the energy ratio of measured to clear-sky PV over the samples, the same whatever their age without `now`', () => {
    expect(recentClearness([...dayAt(1, 0.2), ...dayAt(2, 0.8)], peakW, array, 15)).toBeCloseTo(0.5, 2);
    expect(recentClearness(dayAt(3, 0.7), peakW, array, 15, now)).toBeCloseTo(0.7, 6);
  });

  it('given `now`, weighs each day CLEARNESS_DAY_DECAY per day of age: a dull yesterday pulls tomorrow down', () => {
    const dullYesterday = [...dayAt(1, 0.2), ...dayAt(2, 0.8)];
    const weighted = recentClearness(dullYesterday, peakW, array, 15, now)!;
    // Two days of (nearly) the same clear-sky energy: (1 x 0.2 + d x 0.8) / (1 + d) with d the decay.
    expect(weighted).toBeCloseTo((0.2 + CLEARNESS_DAY_DECAY * 0.8) / (1 + CLEARNESS_DAY_DECAY), 2);
    expect(weighted).toBeLessThan(0.5);
    const sunnyYesterday = [...dayAt(1, 0.8), ...dayAt(2, 0.2)];
    expect(recentClearness(sunnyYesterday, peakW, array, 15, now)!).toBeGreaterThan(0.5);
  });

  it('is undefined without a daylight sample', () => {
    const night = dayAt(1, 0.5).filter((s) => s.at.getUTCHours() < 2);
    expect(recentClearness(night, peakW, array, 15, now)).toBeUndefined();
  });
});
