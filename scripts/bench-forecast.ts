/**
 * npm run bench:forecast: how good the planner's forecasts are (issue 13), on the shipped profiles (the demo îlot, a
 * year) and on real homes it was not written around (the OPSD household data, six homes in Konstanz, hourly, and
 * their sum). For each series and each quantity (consumption, PV, net load), rolling origins: day-ahead (every local
 * midnight, the next 24 h) and intraday (every 6 h, 1-6 h ahead). Prints nMAE (sum |error| / sum |measured|) of the
 * planner's method, of seasonal naive (same slot a week before) and of persistence (the last value), the skill
 * (1 - nMAE / nMAE of the peer), and the coverage of the P10 and P90 the contract guard uses (measured <= P90 should
 * be ~90 %, >= P10 ~90 %). Every method sees only the 7 days before its origin, as the live planner does.
 */
import { DAY_MS, HISTORY_MS, HOUR_MS, localDayKind } from '@ilot/domain';
import {
  DEFAULT_ROOFTOP,
  forecastConsumption,
  forecastPv,
  type PowerSample,
  profileErrorQuantiles,
  recentClearness,
} from '@ilot/forecasting';
import { loadSiteFile } from '@ilot/site';
import { ProfileTable, repoPath } from '@ilot/simulators';
import { trueSeries } from '../simulators/src/perfect-foresight';
import { existsSync } from 'node:fs';
import { hourly } from './households-history';
import { printIssuedPvForecastScores } from './bench-forecast-issued';
import { type LoadSeries, printLoadModelScores } from './bench-forecast-load';
import { join } from 'node:path';

const MAX_ORIGINS = Number(process.env.BENCH_MAX_ORIGINS ?? 300);

/** A measured series on a regular step: consumption and PV, W, by instant (ms, UTC interval start). */
interface Series {
  name: string;
  stepMs: number;
  timeZone: string;
  location: { latitudeDeg: number; longitudeDeg: number };
  consumptionW: Map<number, number>;
  pvW?: Map<number, number>;
  /** Air temperature, °C, where the series has one (the demo's world: its heat pumps follow it). */
  temperatureC?: Map<number, number>;
}

type Method = 'planner' | 'seasonal naive' | 'persistence';
interface Score {
  absErr: Record<Method, number>;
  absActual: number;
  belowP90: number;
  aboveP10: number;
  n: number;
}
const newScore = (): Score => ({
  absErr: { planner: 0, 'seasonal naive': 0, persistence: 0 },
  absActual: 0,
  belowP90: 0,
  aboveP10: 0,
  n: 0,
});

/** The demo îlot a year long, 15 min, from the shipped profiles (the world the replays run). */
function demoSeries(): Series {
  const site = loadSiteFile(repoPath('sites', 'demo.yaml'));
  const start = new Date('2026-01-01T00:00:00Z');
  const { slotStarts, powerW } = trueSeries(site, ProfileTable.load(), { start, days: 364, stepMinutes: 15 });
  const pvIds = new Set([...site.devices.values()].filter((d) => d.kind === 'pv').map((d) => d.id));
  const consumptionW = new Map<number, number>();
  const pvW = new Map<number, number>();
  const profiles = ProfileTable.load();
  const temperatureC = new Map(slotStarts.map((at) => [at.getTime(), profiles.value('airTempC', at)]));
  slotStarts.forEach((at, k) => {
    let c = 0;
    let p = 0;
    for (const [id, series] of powerW) {
      if (pvIds.has(id)) p += series[k];
      else c += series[k];
    }
    consumptionW.set(at.getTime(), c);
    pvW.set(at.getTime(), p);
  });
  return {
    name: 'demo îlot (profiles)',
    stepMs: 15 * 60_000,
    timeZone: site.timezone,
    location: site.location!,
    consumptionW,
    pvW,
    temperatureC,
  };
}

/** One Konstanz home's hourly grid import and PV, W, from its cumulative kWh counters (gaps and resets left out). */
function household(dir: string, n: number): Series | undefined {
  if (!existsSync(join(dir, `power_of_residential_${n}.csv`))) return undefined;
  const series = hourly(dir, n, ['grid_import', 'pv']);
  const pvW = series.get('pv')!;
  return {
    name: `Konstanz home ${n}`,
    stepMs: HOUR_MS,
    timeZone: 'Europe/Berlin',
    location: { latitudeDeg: 47.66, longitudeDeg: 9.18 },
    consumptionW: series.get('grid_import')!,
    ...(pvW.size ? { pvW } : {}),
  };
}

/** The sum of the homes, where every home has a value (a small îlot of real homes). */
function sumOf(homes: Series[]): Series {
  const sum = (pick: (s: Series) => Map<number, number> | undefined) => {
    const out = new Map<number, number>();
    const maps = homes.map(pick).filter((m): m is Map<number, number> => m !== undefined);
    for (const [atMs] of maps[0] ?? []) {
      const values = maps.map((m) => m.get(atMs));
      if (values.every((v) => v !== undefined))
        out.set(
          atMs,
          values.reduce((a, b) => a + b!, 0),
        );
    }
    return out;
  };
  return {
    ...homes[0],
    name: `Konstanz, ${homes.length} homes summed`,
    consumptionW: sum((s) => s.consumptionW),
    pvW: sum((s) => s.pvW),
  };
}

type Quantity = 'consumption' | 'pv' | 'net';

/** The planner's forecast of a quantity from `origin`, for `slotStarts`, from the 7 days before (builder's methods). */
function plannerForecast(
  series: Series,
  quantity: Quantity,
  originMs: number,
  slotStarts: Date[],
): { mean: number[]; p10?: number[]; p90?: number[] } {
  const history = (map: Map<number, number>) => {
    const out: PowerSample[] = [];
    for (let t = originMs - HISTORY_MS; t < originMs; t += series.stepMs) {
      const v = map.get(t);
      if (v !== undefined) out.push({ at: new Date(t), powerW: v });
    }
    return out;
  };
  const dayKind = (at: Date) => localDayKind(at, series.timeZone);
  const now = new Date(originMs);
  const consumption = () => {
    const h = history(series.consumptionW);
    const latest = series.consumptionW.get(originMs - series.stepMs);
    const mean = forecastConsumption({
      now,
      slotStarts,
      history: h,
      latest: latest === undefined ? undefined : { at: now, powerW: latest },
      dayKind,
    });
    const q = profileErrorQuantiles({ history: h, slotStarts, dayKind }, [0.1, 0.9]);
    return { mean, p10: q && mean.map((m, t) => m + q.get(0.1)![t]), p90: q && mean.map((m, t) => m + q.get(0.9)![t]) };
  };
  const pv = () => {
    const array = { ...series.location, ...DEFAULT_ROOFTOP };
    const h = history(series.pvW!);
    // A home's peak power is not in the data: the largest hour of the past week, plus a margin, stands for it (the
    // clearness is measured against the same peak, so the forecast barely depends on it).
    const scaledPeakW = Math.max(...h.map((s) => s.powerW), 1) * 1.2;
    const latest = series.pvW!.get(originMs - series.stepMs);
    return forecastPv({
      now,
      slotStarts,
      slotMinutes: series.stepMs / 60_000,
      peakW: scaledPeakW,
      array,
      latest: latest === undefined ? undefined : { at: new Date(originMs - series.stepMs), powerW: latest },
      typicalClearness: recentClearness(h, scaledPeakW, array, series.stepMs / 60_000, now),
    });
  };
  if (quantity === 'consumption') return consumption();
  if (quantity === 'pv') return { mean: pv() };
  const c = consumption();
  const p = pv();
  return { mean: c.mean.map((w, t) => w - p[t]) };
}

function valueOf(series: Series, quantity: Quantity, atMs: number): number | undefined {
  const c = series.consumptionW.get(atMs);
  const p = series.pvW?.get(atMs);
  if (quantity === 'consumption') return c;
  if (quantity === 'pv') return p;
  return c === undefined || p === undefined ? undefined : c - p;
}

/** Scores one quantity of a series over rolling origins: day-ahead (24 h from midnight UTC) and 1-6 h ahead. */
function evaluate(series: Series, quantity: Quantity): { dayAhead: Score; intraday: Score } {
  const times = [...series.consumptionW.keys()].sort((a, b) => a - b);
  const first = times[0] + HISTORY_MS + DAY_MS;
  const last = times.at(-1)! - DAY_MS;
  const dayAhead = newScore();
  const intraday = newScore();
  const origins: Array<{ originMs: number; horizonMs: number; score: Score }> = [];
  for (let day = Math.ceil(first / DAY_MS) * DAY_MS; day < last; day += DAY_MS)
    origins.push({ originMs: day, horizonMs: DAY_MS, score: dayAhead });
  for (let t = Math.ceil(first / (6 * HOUR_MS)) * 6 * HOUR_MS; t < last; t += 6 * HOUR_MS)
    origins.push({ originMs: t, horizonMs: 6 * HOUR_MS, score: intraday });
  const stride = Math.max(1, Math.floor(origins.length / (2 * MAX_ORIGINS)));
  origins
    .filter((_, i) => i % stride === 0)
    .forEach(({ originMs, horizonMs, score }) => {
      const slotStarts = Array.from(
        { length: horizonMs / series.stepMs },
        (_, k) => new Date(originMs + k * series.stepMs),
      );
      const actual = slotStarts.map((s) => valueOf(series, quantity, s.getTime()));
      const naive = slotStarts.map((s) => valueOf(series, quantity, s.getTime() - 7 * DAY_MS));
      const persistence = valueOf(series, quantity, originMs - series.stepMs);
      if (actual.some((v) => v === undefined) || naive.some((v) => v === undefined) || persistence === undefined)
        return;
      const forecast = plannerForecast(series, quantity, originMs, slotStarts);
      actual.forEach((a, t) => {
        score.absErr.planner += Math.abs(a! - forecast.mean[t]);
        score.absErr['seasonal naive'] += Math.abs(a! - naive[t]!);
        score.absErr.persistence += Math.abs(a! - persistence);
        score.absActual += Math.abs(a!);
        if (forecast.p90 && forecast.p10) {
          score.belowP90 += a! <= forecast.p90[t] ? 1 : 0;
          score.aboveP10 += a! >= forecast.p10[t] ? 1 : 0;
        }
        score.n++;
      });
    });
  return { dayAhead, intraday };
}

/**
 * The series of the load table (issue 27 §5): each series' consumption (the demo with its temperature), and the heat
 * pumps of homes 1 and 4 (the OPSD data has no temperature: those run without one).
 */
function loadSeries(all: Series[], householdsDir: string | undefined): LoadSeries[] {
  const heatPumps: LoadSeries[] = householdsDir
    ? [1, 4].flatMap((n) => {
        const hp = hourly(householdsDir, n, ['heat_pump']).get('heat_pump')!;
        return hp.size
          ? [{ name: `Konstanz home ${n} heat pump`, stepMs: HOUR_MS, timeZone: 'Europe/Berlin', loadW: hp }]
          : [];
      })
    : [];
  return [
    ...all.map(({ name, stepMs, timeZone, consumptionW, temperatureC }) => ({
      name,
      stepMs,
      timeZone,
      loadW: consumptionW,
      temperatureC,
    })),
    ...heatPumps,
  ];
}

function main(): void {
  const started = Date.now();
  // The OPSD household files (power_of_residential_{1..6}.csv) are not shipped whole: give their folder.
  // The issued PV forecasts (../shared/data/pv-forecasts/*.csv) likewise: a CSV path among the arguments.
  const args = process.argv.slice(2);
  const pvForecastsPath = args.find((a) => a.endsWith('.csv')) ?? process.env.BENCH_PV_FORECASTS;
  const householdsDir = args.find((a) => !a.endsWith('.csv')) ?? process.env.BENCH_HOUSEHOLDS_DIR;
  if (!householdsDir)
    console.log('(Konstanz homes left out: npm run bench:forecast -- DIR, the folder of the OPSD household CSV files)');
  const homes = householdsDir
    ? [1, 2, 3, 4, 5, 6].map((n) => household(householdsDir, n)).filter((h): h is Series => h !== undefined)
    : [];
  const all: Series[] = [demoSeries(), ...homes, ...(homes.length > 1 ? [sumOf(homes)] : [])];
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  console.log(
    ['series', 'quantity', 'horizon', 'nMAE', 'vs naive', 'vs persist.', 'skill/naive', 'skill/pers.', '<=P90', '>=P10']
      .map((c, i) => (i < 3 ? c.padEnd(i === 0 ? 30 : 12) : c.padStart(11)))
      .join(''),
  );
  for (const series of all)
    for (const quantity of ['consumption', 'pv', 'net'] as const) {
      if (quantity !== 'consumption' && !series.pvW?.size) continue;
      // A home's grid import is already its net load (PV used at home is not in it).
      if (quantity === 'net' && series.name.startsWith('Konstanz')) continue;
      const { dayAhead, intraday } = evaluate(series, quantity);
      for (const [horizon, s] of [
        ['day-ahead', dayAhead],
        ['1-6 h', intraday],
      ] as const) {
        if (s.n === 0) continue;
        const nmae = (m: Method) => s.absErr[m] / s.absActual;
        console.log(
          [
            series.name.padEnd(30),
            (quantity === 'consumption' && series.name.startsWith('Konstanz') ? 'import' : quantity).padEnd(12),
            horizon.padEnd(12),
            pct(nmae('planner')).padStart(11),
            pct(nmae('seasonal naive')).padStart(11),
            pct(nmae('persistence')).padStart(11),
            (1 - nmae('planner') / nmae('seasonal naive')).toFixed(2).padStart(11),
            (1 - nmae('planner') / nmae('persistence')).toFixed(2).padStart(11),
            (quantity === 'pv' || quantity === 'net' ? '-' : pct(s.belowP90 / s.n)).padStart(11),
            (quantity === 'pv' || quantity === 'net' ? '-' : pct(s.aboveP10 / s.n)).padStart(11),
          ].join(''),
        );
      }
    }
  printLoadModelScores(loadSeries(all, householdsDir), MAX_ORIGINS);
  if (pvForecastsPath) printIssuedPvForecastScores(pvForecastsPath);
  else console.log('(issued PV forecasts left out: npm run bench:forecast -- ../shared/data/pv-forecasts/FILE.csv)');
  console.log(
    `(${((Date.now() - started) / 1000).toFixed(0)} s; at most ${MAX_ORIGINS} origins of each horizon per series)`,
  );
}

main();
