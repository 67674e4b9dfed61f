import {
  calibratedPvW,
  learnPvCalibration,
  MIN_CALIBRATION_DAYS,
  type PvForecastPair,
  pvResidualQuantileW,
} from './pv-calibration';

const PEAK_W = 10_000;
const DAY_MS = 86_400_000;
const SLOT_MS = 15 * 60_000;
const START_MS = Date.UTC(2024, 5, 1);

/** A bell of forecast power from 06:00 to 18:00 UTC (longitude 0: solar time is UTC). */
function bellW(atMs: number): number {
  const hour = ((atMs % DAY_MS) / DAY_MS) * 24;
  return hour > 6 && hour < 18 ? 0.8 * PEAK_W * Math.sin(((hour - 6) / 12) * Math.PI) : 0;
}

/** A deterministic noise in [-1, 1). */
function noise(k: number): number {
  const x = Math.sin(k * 12.9898) * 43_758.5453;
  return 2 * (x - Math.floor(x)) - 1;
}

function pairs(days: number, measured: (forecastW: number, hour: number, k: number) => number): PvForecastPair[] {
  return Array.from({ length: days * 96 }, (_, k) => {
    const atMs = START_MS + k * SLOT_MS + SLOT_MS / 2;
    const forecastW = bellW(atMs);
    return { at: new Date(atMs), forecastW, measuredW: measured(forecastW, ((atMs % DAY_MS) / DAY_MS) * 24, k) };
  });
}

const noon = new Date(START_MS + 40 * DAY_MS + 12 * 3_600_000);
const morning = new Date(START_MS + 40 * DAY_MS + 8.5 * 3_600_000);
const afternoon = new Date(START_MS + 40 * DAY_MS + 15.5 * 3_600_000);

describe('learnPvCalibration: a provider forecast corrected on what the array measured', () => {
  it.each([
    ['a provider 25 % too bright', (f: number) => 0.8 * f, noon, 8000, 6400],
    ['a provider 25 % too bright, in the afternoon too', (f: number) => 0.8 * f, afternoon, 4000, 3200],
    [
      'morning shade (half the output before 10:00 solar)',
      (f: number, h: number) => (h < 10 ? 0.5 * f : f),
      morning,
      4000,
      2000,
    ],
    [
      'morning shade leaves the afternoon alone',
      (f: number, h: number) => (h < 10 ? 0.5 * f : f),
      afternoon,
      4000,
      4000,
    ],
  ])('%s', (_, measured, at, forecastW, expectedW) => {
    const calibration = learnPvCalibration(pairs(28, measured), { peakW: PEAK_W, longitudeDeg: 0 })!;
    // Shrinkage pulls an hour a little toward the window's ratio: within 7 %.
    expect(calibratedPvW(calibration, at, forecastW)).toBeGreaterThan(expectedW * 0.93);
    expect(calibratedPvW(calibration, at, forecastW)).toBeLessThan(expectedW * 1.07);
  });

  it("clips at the inverter's limit", () => {
    const calibration = learnPvCalibration(
      pairs(28, (f) => Math.min(1.2 * f, 6000)),
      {
        peakW: PEAK_W,
        limitW: 6000,
        longitudeDeg: 0,
      },
    )!;
    expect(calibratedPvW(calibration, noon, 8000)).toBe(6000);
    // The clipped middays say nothing of the factor: a dull noon is raised by the unclipped hours' 1.2.
    expect(calibratedPvW(calibration, noon, 2000)).toBeGreaterThan(2300);
  });

  it('takes the hour of the sun, not of the clock: the same shade a time zone east is found at the same solar hours', () => {
    const east = pairs(28, (f, h) => (h < 10 ? 0.5 * f : f)).map((p) => ({
      ...p,
      at: new Date(p.at.getTime() - 6 * 3_600_000),
    }));
    const calibration = learnPvCalibration(east, { peakW: PEAK_W, longitudeDeg: 90 })!;
    expect(calibratedPvW(calibration, new Date(morning.getTime() - 6 * 3_600_000), 4000)).toBeLessThan(2140);
  });

  it.each([
    ['too few days', pairs(MIN_CALIBRATION_DAYS - 1, (f) => f)],
    ['no forecast energy', pairs(28, () => 500).map((p) => ({ ...p, forecastW: 0 }))],
    ['no pairs', []],
  ])('learns nothing from %s (the provider is taken raw)', (_, given) => {
    expect(learnPvCalibration(given, { peakW: PEAK_W, longitudeDeg: 0 })).toBeUndefined();
  });

  it('holds a factor of a broken feed within bounds (a forecast ten times too dull is not multiplied by ten)', () => {
    const calibration = learnPvCalibration(
      pairs(28, (f) => 10 * f),
      { peakW: 100_000, longitudeDeg: 0 },
    )!;
    expect(Math.max(...calibration.factorBySolarHour)).toBeLessThanOrEqual(2);
  });

  it('gives quantiles that cover the next days as they are spread: 80 % between P10 and P90, zero width at night', () => {
    const noisy = (f: number, _h: number, k: number) => Math.max(f * (1 + 0.3 * noise(k)), 0);
    const calibration = learnPvCalibration(pairs(28, noisy), { peakW: PEAK_W, longitudeDeg: 0 })!;
    const next = pairs(40, noisy)
      .slice(28 * 96)
      .filter((p) => p.forecastW > 0.01 * PEAK_W);
    const inside = next.filter((p) => {
      const calibratedW = calibratedPvW(calibration, p.at, p.forecastW);
      return (
        p.measuredW >= calibratedW + pvResidualQuantileW(calibration, calibratedW, 0.1) &&
        p.measuredW <= calibratedW + pvResidualQuantileW(calibration, calibratedW, 0.9)
      );
    });
    expect(inside.length / next.length).toBeGreaterThan(0.75);
    expect(inside.length / next.length).toBeLessThan(0.85);
    expect(pvResidualQuantileW(calibration, 6000, 0.1)).toBeLessThan(0);
    expect(pvResidualQuantileW(calibration, 6000, 0.9)).toBeGreaterThan(0);
    expect(pvResidualQuantileW(calibration, 0, 0.9)).toBe(0);
  });

  it('never puts a quantile below zero power or above the limit', () => {
    const calibration = learnPvCalibration(
      pairs(28, (f, _h, k) => (k % 2 ? 0 : f)),
      {
        peakW: PEAK_W,
        longitudeDeg: 0,
      },
    )!;
    const calibratedW = calibratedPvW(calibration, noon, 1000);
    expect(calibratedW + pvResidualQuantileW(calibration, calibratedW, 0.1)).toBeGreaterThanOrEqual(0);
    expect(calibratedW + pvResidualQuantileW(calibration, calibratedW, 0.99)).toBeLessThanOrEqual(PEAK_W);
  });
});
