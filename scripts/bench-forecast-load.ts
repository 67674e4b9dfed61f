/**
 * bench:forecast's load table (issue 27 §5): the learnt load model (libs/forecasting weather-load-model) against the
 * planner's averaged profile and seasonal naive, day-ahead, per season. The model is given 28 days of history (what
 * the live planner reads for it), the profile its 7; where the series has a temperature, the model is run three ways:
 * without it, with the temperature that came as its forecast (an upper bound of what a temperature forecast buys) and
 * with yesterday's temperature at the same hour as its forecast (persistence: a lower bound, no provider needed).
 */
import { DAY_MS, HISTORY_MS, localDateTime, localDayKind, localDayOfWeek } from '@ilot/domain';
import {
  forecastConsumption,
  forecastLoadWithWeather,
  LOAD_MODEL_WINDOW_DAYS,
  type PowerSample,
  type TemperatureSample,
} from '@ilot/forecasting';

export interface LoadSeries {
  name: string;
  stepMs: number;
  timeZone: string;
  loadW: Map<number, number>;
  /** Air temperature by instant, °C, where the series has one. */
  temperatureC?: Map<number, number>;
}

type Method = 'profile' | 'learnt' | 'learnt+T forecast' | 'learnt+T yesterday' | 'seasonal naive';
const SEASONS = ['winter', 'spring', 'summer', 'autumn'] as const;
type Season = (typeof SEASONS)[number];

/** Meteorological seasons of the northern hemisphere, by the origin's month (DJF, MAM, JJA, SON). */
function seasonOf(atMs: number): Season {
  const month = new Date(atMs).getUTCMonth();
  return SEASONS[Math.floor(((month + 1) % 12) / 3)];
}

interface Score {
  absErr: Partial<Record<Method, number>>;
  /** Σ (forecast - measured): an energy bias (nMAE rewards a median; the planner prices energy, a mean). */
  err: Partial<Record<Method, number>>;
  absActual: number;
  days: number;
}

function samples(map: Map<number, number>, fromMs: number, toMs: number, stepMs: number): PowerSample[] {
  const out: PowerSample[] = [];
  for (let t = fromMs; t < toMs; t += stepMs) {
    const v = map.get(t);
    if (v !== undefined) out.push({ at: new Date(t), powerW: v });
  }
  return out;
}

/** Every method's day-ahead forecast from one origin. */
function forecastsAt(
  series: LoadSeries,
  originMs: number,
  slotStarts: Date[],
  latestW: number,
  naive: number[],
): Partial<Record<Method, number[]>> {
  const now = new Date(originMs);
  const dayKind = (at: Date) => localDayKind(at, series.timeZone);
  const minuteOfDay = (at: Date) => localDateTime(at, series.timeZone).minuteOfDay;
  const dayOfWeek = (at: Date) => localDayOfWeek(at, series.timeZone);
  const temps = series.temperatureC;
  const latest = { at: now, powerW: latestW };
  const history28 = samples(series.loadW, originMs - LOAD_MODEL_WINDOW_DAYS * DAY_MS, originMs, series.stepMs);
  const forecasts: Partial<Record<Method, number[]>> = {
    profile: forecastConsumption({
      now,
      slotStarts,
      history: samples(series.loadW, originMs - HISTORY_MS, originMs, series.stepMs),
      latest,
      dayKind,
    }),
    'seasonal naive': naive,
  };
  const learnt = (temperatures?: TemperatureSample[]) => {
    const result = forecastLoadWithWeather({
      now,
      slotStarts,
      history: history28,
      latest,
      dayKind,
      dayOfWeek,
      minuteOfDay,
      temperatures,
    });
    return result.fitted ? result.meanW : forecasts.profile!;
  };
  forecasts.learnt = learnt();
  if (temps) {
    const past: TemperatureSample[] = [];
    for (let t = originMs - (LOAD_MODEL_WINDOW_DAYS + 1) * DAY_MS; t < originMs; t += series.stepMs) {
      const c = temps.get(t);
      if (c !== undefined) past.push({ at: new Date(t), airTempC: c });
    }
    const ahead = (shiftMs: number) =>
      slotStarts.flatMap((s) => {
        const c = temps.get(s.getTime() - shiftMs);
        return c === undefined ? [] : [{ at: s, airTempC: c }];
      });
    forecasts['learnt+T forecast'] = learnt([...past, ...ahead(0)]);
    forecasts['learnt+T yesterday'] = learnt([...past, ...ahead(DAY_MS)]);
  }
  return forecasts;
}

/** Every local midnight's day-ahead forecast of every method, scored per season; `maxOrigins` spread over the series. */
export function scoreLoadModels(series: LoadSeries, maxOrigins: number): Map<Season | 'year', Score> {
  const times = [...series.loadW.keys()].sort((a, b) => a - b);
  const first = times[0] + LOAD_MODEL_WINDOW_DAYS * DAY_MS;
  const last = times.at(-1)! - DAY_MS;
  const origins: number[] = [];
  for (let day = Math.ceil(first / DAY_MS) * DAY_MS; day < last; day += DAY_MS) origins.push(day);
  const stride = Math.max(1, Math.floor(origins.length / maxOrigins));
  const scores = new Map<Season | 'year', Score>(
    [...SEASONS, 'year' as const].map((s) => [s, { absErr: {}, err: {}, absActual: 0, days: 0 }]),
  );
  for (const originMs of origins.filter((_, i) => i % stride === 0)) {
    const slotStarts = Array.from({ length: DAY_MS / series.stepMs }, (_, k) => new Date(originMs + k * series.stepMs));
    const actual = slotStarts.map((s) => series.loadW.get(s.getTime()));
    const naive = slotStarts.map((s) => series.loadW.get(s.getTime() - 7 * DAY_MS));
    const latestW = series.loadW.get(originMs - series.stepMs);
    if (actual.some((v) => v === undefined) || naive.some((v) => v === undefined) || latestW === undefined) continue;
    const forecasts = forecastsAt(series, originMs, slotStarts, latestW, naive as number[]);
    for (const key of [seasonOf(originMs), 'year'] as const) {
      const score = scores.get(key)!;
      score.days++;
      actual.forEach((a, t) => {
        score.absActual += Math.abs(a!);
        for (const [method, f] of Object.entries(forecasts) as Array<[Method, number[]]>) {
          score.absErr[method] = (score.absErr[method] ?? 0) + Math.abs(a! - f[t]);
          score.err[method] = (score.err[method] ?? 0) + f[t] - a!;
        }
      });
    }
  }
  return scores;
}

/** Prints the table: per series and season, each method's day-ahead nMAE, and whether the learnt one beat the others. */
export function printLoadModelScores(all: LoadSeries[], maxOrigins: number): void {
  const methods: Method[] = ['profile', 'learnt', 'learnt+T forecast', 'learnt+T yesterday', 'seasonal naive'];
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  console.log(
    '\nload, day-ahead nMAE per season: the learnt model (28 days, hour-of-week levels + heating degree-hours)',
  );
  console.log(
    ['series', 'season', 'days', ...methods, 'learnt vs profile', 'vs naive', 'bias lrnt/naive']
      .map((c, i) =>
        i === 0 ? c.padEnd(30) : i === 1 ? c.padEnd(8) : c.padStart([6, 20, 20, 20, 20, 20, 18, 16, 16][i - 2]),
      )
      .join(''),
  );
  for (const series of all) {
    const scores = scoreLoadModels(series, maxOrigins);
    for (const [season, s] of scores) {
      if (s.days === 0) continue;
      // nMAE; a season the load was off throughout (a heat pump in summer) has none: its mean absolute error in W instead.
      const shown = (m: Method) =>
        s.absErr[m] === undefined
          ? '-'
          : s.absActual > 0
            ? pct(s.absErr[m]! / s.absActual)
            : `${(s.absErr[m]! / (s.days * (DAY_MS / series.stepMs))).toFixed(1)} W MAE`;
      const bias = (m: Method) => (s.absActual > 0 ? `${((100 * s.err[m]!) / s.absActual).toFixed(0)} %` : '-');
      // What the planner would run: the temperature-aware model with a real forecast where there is a temperature.
      const planned = s.absErr[series.temperatureC ? 'learnt+T yesterday' : 'learnt']!;
      console.log(
        [
          series.name.padEnd(30),
          season.padEnd(8),
          String(s.days).padStart(6),
          ...methods.map((m) => shown(m).padStart(20)),
          (planned < s.absErr.profile! ? 'better' : planned === s.absErr.profile ? 'same' : 'WORSE').padStart(18),
          (planned <= s.absErr['seasonal naive']! ? 'not worse' : 'WORSE').padStart(16),
          `${bias(series.temperatureC ? 'learnt+T yesterday' : 'learnt')} / ${bias('seasonal naive')}`.padStart(16),
        ].join(''),
      );
    }
  }
  console.log(
    "(the verdicts judge the learnt model as it would plan: with yesterday's temperature as its forecast where the series has a temperature, without otherwise)",
  );
}
