import { HOUR_MS } from '@ilot/domain';
import { quantileOfSorted } from './forecast-quantiles';

/** One past slot of a PV array: what the provider's forecast said for it (as the planner had it) and what was measured, W. */
export interface PvForecastPair {
  /** The slot's middle (the sun's hour is taken there). */
  at: Date;
  forecastW: number;
  measuredW: number;
}

export interface PvCalibrationOptions {
  /** The array's peak power, W: what "night" (under 1 % of it) and the residual bands are measured against. */
  peakW: number;
  /** The inverter's AC limit, W: no calibrated forecast goes above it (default: the peak power). */
  limitW?: number;
  /** The array's longitude, degrees east: the hour of day is the sun's (solar time), the same for any time zone. */
  longitudeDeg: number;
}

/**
 * A provider forecast's correction for one array (issue 27 §4), learnt from pairs of (forecast as issued, measured):
 * a factor per hour of solar time, the inverter's clipping, and the calibrated forecast's residuals for quantiles.
 */
export interface PvCalibration {
  /** Measured over forecast energy per hour of solar time (0..23), shrunk toward the whole window's ratio. */
  factorBySolarHour: number[];
  limitW: number;
  peakW: number;
  longitudeDeg: number;
  /** Residuals (measured - calibrated, W), sorted, per band of the calibrated forecast (bandOf). */
  residualsByBand: number[][];
  /** Daylight pairs learnt from. */
  pairs: number;
}

/** Fewest UTC days with daylight pairs a calibration is learnt from; with fewer, the provider's forecast is taken raw. */
export const MIN_CALIBRATION_DAYS = 3;
/**
 * An hour's factor is shrunk toward the window's as if this many more pairs of the window's mean had been seen: an
 * hour seen on a few dull mornings does not move far from the window's ratio.
 */
const SHRINK_PAIRS = 8;
/** A factor is held in [0, MAX_FACTOR]: a provider half as bright as the array is a correction, ten times is a fault. */
const MAX_FACTOR = 2;
/** A slot is daylight when the forecast or the measurement is above this share of the peak. */
const DAYLIGHT_SHARE = 0.01;
/** A measurement at this share of the inverter's limit or above is clipped. */
const CLIPPED_SHARE = 0.98;
/** Upper bounds of the residual bands, as shares of the peak power of the calibrated forecast (the last is open). */
const BAND_UPPER_SHARES = [0.05, 0.2, 0.4, 0.6];
/** Fewest residuals a band's quantile is taken from; with fewer, the residuals of every band are pooled. */
const MIN_BAND_RESIDUALS = 20;

/** The hour of solar time (0..23) at an instant and longitude. */
function solarHour(at: Date, longitudeDeg: number): number {
  const hours = at.getTime() / HOUR_MS + longitudeDeg / 15;
  return Math.floor(((hours % 24) + 24) % 24);
}

function bandOf(calibratedW: number, peakW: number): number {
  const share = calibratedW / peakW;
  const band = BAND_UPPER_SHARES.findIndex((upper) => share < upper);
  return band < 0 ? BAND_UPPER_SHARES.length : band;
}

/**
 * Learns an array's correction from past pairs (any order): per hour of solar time the ratio of measured to forecast
 * energy, shrunk toward the window's ratio, held under the inverter's limit; then the residuals of the calibrated
 * forecast, each day's against the factors of the other days, by band of its level (errors grow with the power forecast). Night pairs are left out,
 * and clipped ones from the factors.
 * Undefined with fewer than MIN_CALIBRATION_DAYS days of daylight pairs or no forecast energy. Pure.
 */
export function learnPvCalibration(
  pairs: readonly PvForecastPair[],
  options: PvCalibrationOptions,
): PvCalibration | undefined {
  const { peakW, longitudeDeg } = options;
  const limitW = options.limitW ?? peakW;
  const daylight = pairs.filter(
    (p) =>
      Number.isFinite(p.forecastW) &&
      Number.isFinite(p.measuredW) &&
      Math.max(p.forecastW, p.measuredW) > DAYLIGHT_SHARE * peakW,
  );
  const byDay = new Map<number, PvForecastPair[]>();
  for (const p of daylight) {
    const ofDay = byDay.get(dayOf(p));
    if (ofDay) ofDay.push(p);
    else byDay.set(dayOf(p), [p]);
  }
  const all = sumsOf(daylight, limitW, longitudeDeg);
  if (byDay.size < MIN_CALIBRATION_DAYS || all.forecastW <= 0) return undefined;
  const calibration: PvCalibration = {
    factorBySolarHour: factorsOf(all),
    limitW,
    peakW,
    longitudeDeg,
    residualsByBand: Array.from({ length: BAND_UPPER_SHARES.length + 1 }, () => []),
    pairs: daylight.length,
  };
  // Each day's residuals against the factors learnt without it: the spread a day not yet seen will have (in-sample
  // residuals are narrower than the next day's errors).
  for (const ofDay of byDay.values()) {
    const without = { ...calibration, factorBySolarHour: factorsOf(minus(all, sumsOf(ofDay, limitW, longitudeDeg))) };
    for (const p of ofDay) {
      const calibratedW = calibratedPvW(without, p.at, p.forecastW);
      calibration.residualsByBand[bandOf(calibratedW, peakW)].push(p.measuredW - calibratedW);
    }
  }
  for (const band of calibration.residualsByBand) band.sort((a, b) => a - b);
  return calibration;
}

interface Sums {
  forecastW: number;
  measuredW: number;
  pairs: number;
  byHour: Array<{ forecastW: number; measuredW: number }>;
}

const dayOf = (p: PvForecastPair) => Math.floor(p.at.getTime() / (24 * HOUR_MS));

/** Forecast and measured power summed over the unclipped pairs (a clipped slot says only that the array could have made more), by solar hour. */
function sumsOf(pairs: readonly PvForecastPair[], limitW: number, longitudeDeg: number): Sums {
  const sums: Sums = {
    forecastW: 0,
    measuredW: 0,
    pairs: 0,
    byHour: Array.from({ length: 24 }, () => ({ forecastW: 0, measuredW: 0 })),
  };
  for (const p of pairs) {
    if (p.measuredW >= CLIPPED_SHARE * limitW) continue;
    const hour = sums.byHour[solarHour(p.at, longitudeDeg)];
    const forecastW = Math.max(p.forecastW, 0);
    const measuredW = Math.max(p.measuredW, 0);
    hour.forecastW += forecastW;
    hour.measuredW += measuredW;
    sums.forecastW += forecastW;
    sums.measuredW += measuredW;
    sums.pairs++;
  }
  return sums;
}

function minus(a: Sums, b: Sums): Sums {
  return {
    forecastW: a.forecastW - b.forecastW,
    measuredW: a.measuredW - b.measuredW,
    pairs: a.pairs - b.pairs,
    byHour: a.byHour.map((h, i) => ({
      forecastW: h.forecastW - b.byHour[i].forecastW,
      measuredW: h.measuredW - b.byHour[i].measuredW,
    })),
  };
}

/** Each solar hour's measured over forecast energy, shrunk toward the window's ratio, held in [0, MAX_FACTOR]. */
function factorsOf(sums: Sums): number[] {
  if (sums.forecastW <= 0) return sums.byHour.map(() => 1);
  const windowRatio = Math.min(sums.measuredW / sums.forecastW, MAX_FACTOR);
  const shrinkW = (SHRINK_PAIRS * sums.forecastW) / sums.pairs;
  return sums.byHour.map((h) =>
    Math.min(Math.max((h.measuredW + shrinkW * windowRatio) / (h.forecastW + shrinkW), 0), MAX_FACTOR),
  );
}

/** The calibrated forecast of one slot (its middle `at`), W: the provider's forecast x its hour's factor, clipped. */
export function calibratedPvW(calibration: PvCalibration, at: Date, forecastW: number): number {
  const factor = calibration.factorBySolarHour[solarHour(at, calibration.longitudeDeg)];
  return Math.min(Math.max(forecastW, 0) * factor, calibration.limitW);
}

/**
 * The offset to add to a calibrated forecast for its `p`-quantile, W (negative below the median): the residuals of its
 * band, or of every band when its own has too few; the result is held within [0, limit] once added. Zero where the
 * forecast is (night).
 */
export function pvResidualQuantileW(calibration: PvCalibration, calibratedW: number, p: number): number {
  if (calibratedW <= 0) return 0;
  const own = calibration.residualsByBand[bandOf(calibratedW, calibration.peakW)];
  const residuals = own.length >= MIN_BAND_RESIDUALS ? own : calibration.residualsByBand.flat().sort((a, b) => a - b);
  if (residuals.length === 0) return 0;
  const quantileW = calibratedW + quantileOfSorted(residuals, p);
  return Math.min(Math.max(quantileW, 0), calibration.limitW) - calibratedW;
}
