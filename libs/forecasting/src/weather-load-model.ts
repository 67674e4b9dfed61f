import { DAY_MS, HOUR_MS } from '@ilot/domain';
import type { PowerSample } from './consumption-forecast';

/** An air temperature at an instant, °C (measured, or forecast for that instant). */
export interface TemperatureSample {
  at: Date;
  airTempC: number;
}

/**
 * The heating degree features' base temperatures, °C: buildings stop heating between about 12 °C (well insulated) and
 * 18 °C (old stock). Two hinges at the ends of that range let the fit place the kink of any building between them, and
 * a third on the day's mean temperature carries the inertia of a heated mass. Building physics, not fitted to a data set.
 */
export const HEATING_BASES_C = { high: 18, low: 12 } as const;

/** How far back the model learns from. */
export const LOAD_MODEL_WINDOW_DAYS = 28;
/**
 * The half-lives of a day's weight in the fit the model chooses from, days: short follows a change of season or of
 * habits, long averages the noise out. Each meter's is chosen on its own last days (backtest), not fixed here.
 */
export const LOAD_MODEL_HALF_LIVES_DAYS = [3, 7, 14, 28] as const;
/** How many past days each half-life is backtested on (one day ahead each). */
export const LOAD_MODEL_BACKTEST_DAYS = 7;
/** Fewer days of history than this: the model is not fitted (the caller keeps its profile forecast). */
export const LOAD_MODEL_MIN_DAYS = 3;
/** Two temperature samples further apart than this are not interpolated between, ms. */
const MAX_TEMPERATURE_GAP_MS = 3 * HOUR_MS;
/** Share of the history that must have a temperature for the heating terms to be fitted. */
const MIN_TEMPERATURE_COVERAGE = 0.5;

export interface WeatherLoadInput {
  now: Date;
  slotStarts: readonly Date[];
  /** Slot means of the load over the past days, any order. */
  history: readonly PowerSample[];
  /** Air temperatures over the history and the horizon (measured behind `now`, forecast ahead), any order. */
  temperatures?: readonly TemperatureSample[];
  /** The latest measured value, if fresh: it weighs on the first hours as in forecastConsumption. */
  latest?: PowerSample;
  persistenceMs?: number;
  /** The kind of day of an instant (weekday, weekend); the profile has one level per kind and time of day. */
  dayKind?: (at: Date) => string;
  /**
   * The local day of the week of an instant, when the load may follow the week more closely than weekday/weekend (a
   * market day, a laundry day): the backtest then tries levels per day of the week too (the hour-of-week model).
   */
  dayOfWeek?: (at: Date) => string;
  /** Minute of the day of an instant, in the zone the load lives by (default UTC). */
  minuteOfDay?: (at: Date) => number;
  /** The half-life of a day's weight, days; when absent, the one of LOAD_MODEL_HALF_LIVES_DAYS with the least backtest error. */
  halfLifeDays?: number;
  /** The levels' days; given with `halfLifeDays`, no backtest is run (a choice made earlier: `chooseWeatherLoadModel`). */
  grouping?: Grouping;
}

/** The fitted model: a level per (kind of day, time of day) plus W per degree-hour of each heating feature. */
export interface WeatherLoadFit {
  levels: Map<string, number>;
  /** W per °C below each base, >= 0 (heating adds load when it is colder); zero where the data did not support one. */
  slopesWPerK: { belowHigh: number; belowLow: number; dayMeanBelowHigh: number };
  /** Whether the heating terms were fitted (enough temperature over the history and the horizon). */
  withTemperature: boolean;
  days: number;
  halfLifeDays: number;
  /** The levels' days: by kind of day, or by day of the week. */
  grouping: Grouping;
}

export type Grouping = 'kind of day' | 'day of week';

export type WeatherLoadForecast = { fitted: true; meanW: number[]; fit: WeatherLoadFit } | { fitted: false };

/**
 * A learnt load model (issue 27 §5): per kind of day and time of day a level, plus the heating degree-hours below
 * 18 and 12 °C and below 18 °C of the past 24 h's mean temperature, each with a slope >= 0. Fitted by weighted least
 * squares over the history (a day's weight halves every half-life, chosen per meter among LOAD_MODEL_HALF_LIVES_DAYS on its last days), the slopes within the kinds and
 * times of day (so a level is what is left), the sign constraint by trying each subset of features (three: eight
 * small systems). Without temperatures it is a recency-weighted profile. The latest reading weighs on the first hours
 * as in forecastConsumption. `{ fitted: false }` with less than LOAD_MODEL_MIN_DAYS of history. Pure.
 */
export function forecastLoadWithWeather(given: WeatherLoadInput): WeatherLoadForecast {
  const input = memoised(given);
  const features = featuresOf(input.temperatures ?? []);
  const chosen = chooseModel(input, features);
  const fit = fitWith(grouped(input, chosen.grouping), features, chosen.halfLifeDays, chosen.grouping);
  if (!fit) return { fitted: false };
  const persistenceMs = input.persistenceMs ?? 2 * HOUR_MS;
  const modelW = predict(fit, input.slotStarts, grouped(input, fit.grouping), features);
  const meanW = input.slotStarts.map((start, t) => {
    if (!input.latest) return modelW[t];
    const weight = Math.exp(-Math.max(start.getTime() - input.now.getTime(), 0) / persistenceMs);
    return weight * input.latest.powerW + (1 - weight) * modelW[t];
  });
  return { fitted: true, meanW, fit };
}

/**
 * The input with its calendar functions remembered per instant: the backtest fits 56 models over the same instants,
 * and a local kind of day is a time-zone conversion (measured: 112 -> 82 ms a forecast over 4 weeks of 15-min slots).
 */
function memoised(input: WeatherLoadInput): WeatherLoadInput {
  const remember = <T>(f: ((at: Date) => T) | undefined) => {
    if (!f) return undefined;
    const seen = new Map<number, T>();
    return (at: Date) => {
      const ms = at.getTime();
      let value = seen.get(ms);
      if (value === undefined && !seen.has(ms)) {
        value = f(at);
        seen.set(ms, value);
      }
      return value as T;
    };
  };
  return {
    ...input,
    dayKind: remember(input.dayKind),
    dayOfWeek: remember(input.dayOfWeek),
    minuteOfDay: remember(input.minuteOfDay),
  };
}

/** The model's power per slot, W >= 0, without the latest reading's weight. */
function predict(
  fit: WeatherLoadFit,
  slotStarts: readonly Date[],
  input: WeatherLoadInput,
  features: Features,
): number[] {
  const { belowHigh, belowLow, dayMeanBelowHigh } = fit.slopesWPerK;
  return slotStarts.map((start) => {
    const key = groupKey(start, input);
    const level = fit.levels.get(key) ?? fallbackLevel(fit.levels, key);
    const x = fit.withTemperature ? features(start) : undefined;
    return Math.max(level + (x ? belowHigh * x[0] + belowLow * x[1] + dayMeanBelowHigh * x[2] : 0), 0);
  });
}

/** The input with its levels' days as `grouping` says. */
function grouped(input: WeatherLoadInput, grouping: Grouping): WeatherLoadInput {
  return grouping === 'day of week' ? { ...input, dayKind: input.dayOfWeek } : input;
}

/**
 * The half-life (and, given `dayOfWeek`, the levels' days) with the least absolute error over the last
 * LOAD_MODEL_BACKTEST_DAYS, each day forecast from the history before it (its temperatures as measured); a half-life
 * given in the input is kept; 7 days by kind of day when the history is too short to tell.
 */
function chooseModel(input: WeatherLoadInput, features: Features): { halfLifeDays: number; grouping: Grouping } {
  if (input.halfLifeDays !== undefined && input.grouping)
    return { halfLifeDays: input.halfLifeDays, grouping: input.grouping };
  const groupings: Grouping[] = input.dayOfWeek ? ['kind of day', 'day of week'] : ['kind of day'];
  const halfLives = input.halfLifeDays !== undefined ? [input.halfLifeDays] : LOAD_MODEL_HALF_LIVES_DAYS;
  const byTime = new Map(input.history.map((s) => [s.at.getTime(), s.powerW]));
  let best = { halfLifeDays: input.halfLifeDays ?? 7, grouping: groupings[0], errorW: Infinity };
  for (const grouping of groupings)
    for (const halfLifeDays of halfLives) {
      const candidate = grouped(input, grouping);
      let errorW = 0;
      let days = 0;
      for (let k = 1; k <= LOAD_MODEL_BACKTEST_DAYS; k++) {
        const originMs = input.now.getTime() - k * DAY_MS;
        const day = input.history.filter((s) => s.at.getTime() >= originMs && s.at.getTime() < originMs + DAY_MS);
        if (day.length === 0) continue;
        const slotStarts = day.map((s) => s.at);
        const fit = fitWith({ ...candidate, now: new Date(originMs), slotStarts }, features, halfLifeDays, grouping);
        if (!fit) continue;
        const predicted = predict(fit, slotStarts, candidate, features);
        slotStarts.forEach((at, t) => (errorW += Math.abs(byTime.get(at.getTime())! - predicted[t])));
        days++;
      }
      if (days >= 2 && errorW < best.errorW) best = { halfLifeDays, grouping, errorW };
    }
  return best;
}

/**
 * The half-life and the levels' days the backtest chooses (56 fits on 4 weeks: most of a plan's time), to give back as
 * `halfLifeDays` and `grouping` to the forecasts that follow on the same history (issue 30 §5). Pure.
 */
export function chooseWeatherLoadModel(given: WeatherLoadInput): { halfLifeDays: number; grouping: Grouping } {
  const input = memoised(given);
  return chooseModel(input, featuresOf(input.temperatures ?? []));
}

/** The fit alone (for the forecast, a log or a test): undefined with too little history. Pure. */
export function fitWeatherLoad(given: WeatherLoadInput): WeatherLoadFit | undefined {
  const input = memoised(given);
  const features = featuresOf(input.temperatures ?? []);
  const { halfLifeDays, grouping } = chooseModel(input, features);
  return fitWith(grouped(input, grouping), features, halfLifeDays, grouping);
}

function fitWith(
  input: WeatherLoadInput,
  features: Features,
  halfLifeDays: number,
  grouping: Grouping,
): WeatherLoadFit | undefined {
  const fromMs = input.now.getTime() - LOAD_MODEL_WINDOW_DAYS * DAY_MS;
  const history = input.history.filter((s) => s.at.getTime() >= fromMs && s.at.getTime() < input.now.getTime());
  if (history.length === 0) return undefined;
  const times = history.map((s) => s.at.getTime());
  const days = (Math.max(...times) - Math.min(...times)) / DAY_MS;
  if (days < LOAD_MODEL_MIN_DAYS - 1e-9) return undefined;
  const rows = history.map((s) => ({
    key: groupKey(s.at, input),
    y: s.powerW,
    w: 0.5 ** ((input.now.getTime() - s.at.getTime()) / (halfLifeDays * DAY_MS)),
    x: features(s.at),
  }));
  const withX = rows.filter((r): r is typeof r & { x: number[] } => r.x !== undefined);
  const horizonCovered = input.slotStarts.every((s) => features(s) !== undefined);
  const withTemperature = horizonCovered && withX.length >= MIN_TEMPERATURE_COVERAGE * rows.length && spread(withX) > 0;
  const slopes = withTemperature ? nonNegativeWithinSlopes(withX) : [0, 0, 0];
  // Each level: the weighted mean of what the heating terms leave, over every row of its group (with or without x).
  const sums = new Map<string, { wy: number; w: number }>();
  for (const r of withTemperature ? withX : rows) {
    const residual = r.y - (r.x ? dot(slopes, r.x) : 0);
    const sum = sums.get(r.key) ?? { wy: 0, w: 0 };
    sum.wy += r.w * residual;
    sum.w += r.w;
    sums.set(r.key, sum);
  }
  const levels = new Map([...sums].map(([key, s]) => [key, s.wy / s.w]));
  return {
    levels,
    slopesWPerK: { belowHigh: slopes[0], belowLow: slopes[1], dayMeanBelowHigh: slopes[2] },
    withTemperature,
    days: Math.round(days),
    halfLifeDays,
    grouping,
  };
}

function groupKey(at: Date, input: Pick<WeatherLoadInput, 'dayKind' | 'minuteOfDay'>): string {
  const minute = input.minuteOfDay ? input.minuteOfDay(at) : Math.floor((at.getTime() % DAY_MS) / 60_000);
  return `${input.dayKind?.(at) ?? ''}|${minute}`;
}

/** A time of day never seen for this kind of day (a new slot length, a first weekend): the same time on any kind. */
function fallbackLevel(levels: Map<string, number>, key: string): number {
  const minute = key.split('|')[1];
  const same = [...levels].filter(([k]) => k.split('|')[1] === minute).map(([, v]) => v);
  const pool = same.length > 0 ? same : [...levels.values()];
  return pool.reduce((a, b) => a + b, 0) / pool.length;
}

/**
 * The heating features at an instant: degrees below the high and the low base, and the past 24 h's mean temperature's
 * degrees below the high base; undefined where the temperature is not known.
 */
type Features = (at: Date) => number[] | undefined;

function featuresOf(samples: readonly TemperatureSample[]): Features {
  const sorted = [...samples].sort((a, b) => a.at.getTime() - b.at.getTime());
  const times = sorted.map((s) => s.at.getTime());
  const at = (ms: number): number | undefined => {
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (times[mid] <= ms) lo = mid + 1;
      else hi = mid;
    }
    const before = lo - 1;
    if (before < 0) return undefined;
    if (times[before] === ms) return sorted[before].airTempC;
    if (lo >= times.length || times[lo] - times[before] > MAX_TEMPERATURE_GAP_MS) return undefined;
    const share = (ms - times[before]) / (times[lo] - times[before]);
    return sorted[before].airTempC + share * (sorted[lo].airTempC - sorted[before].airTempC);
  };
  const memo = new Map<number, number[] | undefined>();
  return (instant) => {
    const ms = instant.getTime();
    if (memo.has(ms)) return memo.get(ms);
    const now = at(ms);
    let value: number[] | undefined;
    if (now !== undefined) {
      // The day's mean: hourly points over the past 24 h (those known).
      const past: number[] = [];
      for (let k = 0; k < 24; k++) {
        const t = at(ms - k * HOUR_MS);
        if (t !== undefined) past.push(t);
      }
      const dayMean = past.reduce((a, b) => a + b, 0) / past.length;
      value = [
        Math.max(HEATING_BASES_C.high - now, 0),
        Math.max(HEATING_BASES_C.low - now, 0),
        Math.max(HEATING_BASES_C.high - dayMean, 0),
      ];
    }
    memo.set(ms, value);
    return value;
  };
}

type Row = { key: string; y: number; w: number; x: number[] };

function dot(a: readonly number[], b: readonly number[]): number {
  return a.reduce((sum, v, i) => sum + v * b[i], 0);
}

/** Whether any heating feature varies at all over the history (a warm month has none to fit). */
function spread(rows: readonly Row[]): number {
  return Math.max(...[0, 1, 2].map((i) => Math.max(...rows.map((r) => r.x[i])) - Math.min(...rows.map((r) => r.x[i]))));
}

/**
 * Slopes >= 0 of y on x within the groups (each group's weighted mean taken out of both, so levels absorb what does
 * not vary with the weather): the least squares over every subset of features, the best one whose slopes are all
 * non-negative (the exact non-negative least squares for three features).
 */
function nonNegativeWithinSlopes(rows: readonly Row[]): number[] {
  const means = new Map<string, { w: number; y: number; x: number[] }>();
  for (const r of rows) {
    const m = means.get(r.key) ?? { w: 0, y: 0, x: [0, 0, 0] };
    m.w += r.w;
    m.y += r.w * r.y;
    r.x.forEach((v, i) => (m.x[i] += r.w * v));
    means.set(r.key, m);
  }
  const centred = rows.map((r) => {
    const m = means.get(r.key)!;
    return { w: r.w, y: r.y - m.y / m.w, x: r.x.map((v, i) => v - m.x[i] / m.w) };
  });
  const k = 3;
  const xtx = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const xty = new Array<number>(k).fill(0);
  let yty = 0;
  for (const r of centred) {
    yty += r.w * r.y * r.y;
    for (let i = 0; i < k; i++) {
      xty[i] += r.w * r.x[i] * r.y;
      for (let j = 0; j < k; j++) xtx[i][j] += r.w * r.x[i] * r.x[j];
    }
  }
  let best = { sse: yty, slopes: [0, 0, 0] };
  for (let mask = 1; mask < 1 << k; mask++) {
    const idx = [0, 1, 2].filter((i) => mask & (1 << i));
    const solved = solve(
      idx.map((i) => idx.map((j) => xtx[i][j])),
      idx.map((i) => xty[i]),
    );
    if (!solved || solved.some((b) => b < 0)) continue;
    const slopes = [0, 0, 0];
    idx.forEach((i, n) => (slopes[i] = solved[n]));
    // SSE = y'y - 2 b'X'y + b'X'X b
    let quad = 0;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) quad += slopes[i] * xtx[i][j] * slopes[j];
    const sse = yty - 2 * dot(slopes, xty) + quad;
    if (sse < best.sse - 1e-9 * Math.max(yty, 1)) best = { sse, slopes };
  }
  return best.slopes;
}

/** Gaussian elimination with partial pivoting; undefined when the system is singular (a feature that never varies). */
function solve(a: number[][], b: number[]): number[] | undefined {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]]);
  const scale = Math.max(...a.map((row) => Math.max(...row.map(Math.abs))), 1e-300);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (Math.abs(m[pivot][col]) < 1e-10 * scale) return undefined;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = m[r][col] / m[col][col];
      for (let c = col; c <= n; c++) m[r][c] -= f * m[col][c];
    }
  }
  return m.map((row, i) => row[n] / row[i]);
}
