/**
 * bench:forecast on issued PV forecasts (issue 27 §4): a year of a transmission operator's day-ahead forecasts beside
 * the PV measured (`../shared/data/pv-forecasts/`, Elia, Belgium 2019, W per kWp of the region; a path given, never
 * read by a test). For every day D with 28 days before it: the forecast issued on D-1 raw, the same calibrated on the
 * 28 days before D (libs/forecasting learnPvCalibration: pairs of the day-ahead forecast as issued and the measured),
 * and the planner's own forecast made at D's first slot (clear sky x the past week's clearness); persistence is D-1's
 * measured profile, known at D's first slot. Prints nMAE (sum |error| / sum measured) per season and the year, the skill
 * against persistence, and how often the measured falls within the calibrated P10-P90 in daylight (target 80 % +- 5).
 * A regional aggregate is smoother than one roof: its errors are smaller than a single site's.
 */
import {
  DEFAULT_ROOFTOP,
  calibratedPvW,
  forecastPv,
  learnPvCalibration,
  recentClearness,
  pvResidualQuantileW,
  type PowerSample,
  type PvForecastPair,
} from '@ilot/forecasting';
import { ELIA_YEAR, readElia } from './bench-value-issued';

const SLOT_MS = 15 * 60_000;
const SLOTS_PER_DAY = 96;
/** The days the calibration learns from (as the planner's rolling window). */
const WINDOW_DAYS = 28;
/** About the middle of Belgium, where the region's PV is. */
const ARRAY = { latitudeDeg: 50.6, longitudeDeg: 4.5, ...DEFAULT_ROOFTOP };
const PEAK_W = 1000;

type Method = 'issued raw' | 'issued calibrated' | 'own' | 'persistence';
const METHODS: Method[] = ['issued raw', 'issued calibrated', 'own', 'persistence'];
const SHORT: Record<Method, string> = {
  'issued raw': 'raw',
  'issued calibrated': 'calib.',
  own: 'own',
  persistence: 'pers.',
};
interface Score {
  absErr: Record<Method, number>;
  measured: number;
  daylight: number;
  withinP10P90: number;
  days: number;
}
const newScore = (): Score => ({
  absErr: { 'issued raw': 0, 'issued calibrated': 0, own: 0, persistence: 0 },
  measured: 0,
  daylight: 0,
  withinP10P90: 0,
  days: 0,
});

const SEASONS = ['Dec-Feb', 'Mar-May', 'Jun-Aug', 'Sep-Nov'];
const seasonOf = (dayMs: number) => SEASONS[Math.floor(((new Date(dayMs).getUTCMonth() + 1) % 12) / 3)];

export function issuedPvForecastScores(path: string): Map<string, Score> {
  const { measuredWPerKWp, dayAheadWPerWp } = readElia(path);
  const yearStart = Date.UTC(ELIA_YEAR, 0, 1);
  const slotAt = (k: number) => new Date(yearStart + k * SLOT_MS + SLOT_MS / 2);
  const dayAheadW = (k: number) => (dayAheadWPerWp[k] === undefined ? undefined : dayAheadWPerWp[k]! * PEAK_W);
  const scores = new Map<string, Score>([...SEASONS, 'year'].map((s) => [s, newScore()]));
  const days = measuredWPerKWp.length / SLOTS_PER_DAY;
  for (let d = WINDOW_DAYS; d < days; d++) {
    const first = d * SLOTS_PER_DAY;
    const slots = Array.from({ length: SLOTS_PER_DAY }, (_, i) => first + i);
    if (slots.some((k) => dayAheadW(k) === undefined)) continue;
    const pairs: PvForecastPair[] = [];
    for (let k = first - WINDOW_DAYS * SLOTS_PER_DAY; k < first; k++) {
      const forecastW = dayAheadW(k);
      if (forecastW !== undefined) pairs.push({ at: slotAt(k), forecastW, measuredW: measuredWPerKWp[k] });
    }
    const calibration = learnPvCalibration(pairs, { peakW: PEAK_W, longitudeDeg: ARRAY.longitudeDeg });
    const dayMs = yearStart + first * SLOT_MS;
    const history: PowerSample[] = Array.from({ length: 7 * SLOTS_PER_DAY }, (_, i) => {
      const k = first - 7 * SLOTS_PER_DAY + i;
      return { at: new Date(yearStart + k * SLOT_MS), powerW: measuredWPerKWp[k] };
    });
    const now = new Date(dayMs);
    const own = forecastPv({
      now,
      slotStarts: slots.map((k) => new Date(yearStart + k * SLOT_MS)),
      slotMinutes: 15,
      peakW: PEAK_W,
      array: ARRAY,
      latest: history.at(-1),
      typicalClearness: recentClearness(history, PEAK_W, ARRAY, 15, now),
    });
    for (const score of [scores.get(seasonOf(dayMs))!, scores.get('year')!]) {
      score.days++;
      slots.forEach((k, i) => {
        const measuredW = measuredWPerKWp[k];
        const rawW = dayAheadW(k)!;
        const calibratedW = calibration ? calibratedPvW(calibration, slotAt(k), rawW) : rawW;
        score.absErr['issued raw'] += Math.abs(measuredW - rawW);
        score.absErr['issued calibrated'] += Math.abs(measuredW - calibratedW);
        score.absErr.own += Math.abs(measuredW - own[i]);
        score.absErr.persistence += Math.abs(measuredW - measuredWPerKWp[k - SLOTS_PER_DAY]);
        score.measured += measuredW;
        if (calibration && Math.max(calibratedW, measuredW) > 0.01 * PEAK_W) {
          score.daylight++;
          const p10W = calibratedW + pvResidualQuantileW(calibration, calibratedW, 0.1);
          const p90W = calibratedW + pvResidualQuantileW(calibration, calibratedW, 0.9);
          if (measuredW >= p10W && measuredW <= p90W) score.withinP10P90++;
        }
      });
    }
  }
  return scores;
}

export function printIssuedPvForecastScores(path: string): void {
  const scores = issuedPvForecastScores(path);
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  console.log(
    `\nPV day-ahead on issued forecasts (${path}; regional aggregate, W per kWp; calibration on the ${WINDOW_DAYS} days before)`,
  );
  console.log(
    [
      'period',
      'days',
      ...METHODS.map((m) => `nMAE ${SHORT[m]}`),
      ...METHODS.slice(0, 3).map((m) => `skill ${SHORT[m]}`),
      'P10-P90',
    ]
      .map((c, i) => (i === 0 ? c.padEnd(10) : c.padStart(i < 2 ? 6 : 13)))
      .join(''),
  );
  for (const [period, s] of scores) {
    const nmae = (m: Method) => s.absErr[m] / s.measured;
    console.log(
      [
        period.padEnd(10),
        String(s.days).padStart(6),
        ...METHODS.map((m) => pct(nmae(m)).padStart(13)),
        ...METHODS.slice(0, 3).map((m) => (1 - nmae(m) / nmae('persistence')).toFixed(2).padStart(13)),
        pct(s.withinP10P90 / s.daylight).padStart(13),
      ].join(''),
    );
  }
  console.log(
    '(skill: 1 - nMAE / nMAE of persistence, D-1 measured; P10-P90: daylight slots within the calibrated band, target 80 % +- 5)',
  );
}
