import { DAY_MS, HOUR_MS } from '@ilot/domain';
import type { PowerSample } from './consumption-forecast';
import { forecastConsumption } from './consumption-forecast';
import { fitWeatherLoad, forecastLoadWithWeather, type TemperatureSample } from './weather-load-model';

const NOW = Date.parse('2026-02-01T00:00:00Z');
const STEP = HOUR_MS;
const dayKind = (at: Date) => (at.getUTCDay() === 0 || at.getUTCDay() === 6 ? 'weekend' : 'weekday');

/** A day's shape (W) by hour: a morning and an evening peak. */
const shapeW = (at: Date) => {
  const h = at.getUTCHours();
  return 300 + (h >= 7 && h < 9 ? 400 : 0) + (h >= 18 && h < 22 ? 600 : 0);
};
/** A temperature that swings by day (a cold spell every ten days) and by hour. */
const temperatureC = (ms: number) =>
  6 + 6 * Math.sin((2 * Math.PI * ms) / (10 * DAY_MS)) + 3 * Math.sin((2 * Math.PI * ms) / DAY_MS);
/** A heat pump's draw: 120 W per degree below 15 °C. */
const heatingW = (ms: number) => 120 * Math.max(15 - temperatureC(ms), 0);

function series(fromMs: number, toMs: number, powerW: (ms: number) => number): PowerSample[] {
  const out: PowerSample[] = [];
  for (let t = fromMs; t < toMs; t += STEP) out.push({ at: new Date(t), powerW: powerW(t) });
  return out;
}
function temperatures(fromMs: number, toMs: number, shiftC = 0): TemperatureSample[] {
  const out: TemperatureSample[] = [];
  for (let t = fromMs; t < toMs; t += STEP) out.push({ at: new Date(t), airTempC: temperatureC(t) + shiftC });
  return out;
}
const nextDay = Array.from({ length: 24 }, (_, k) => new Date(NOW + k * STEP));
const mae = (a: number[], b: number[]) => a.reduce((s, v, i) => s + Math.abs(v - b[i]), 0) / a.length;

describe('forecastLoadWithWeather (issue 27 §5)', () => {
  const history = series(NOW - 28 * DAY_MS, NOW, (t) => shapeW(new Date(t)) + heatingW(t));
  const truth = nextDay.map((at) => shapeW(at) + heatingW(at.getTime()));

  it('learns the heating from the temperature and beats the averaged profile on a day colder than the week before', () => {
    const result = forecastLoadWithWeather({
      now: new Date(NOW),
      slotStarts: nextDay,
      history,
      temperatures: temperatures(NOW - 29 * DAY_MS, NOW + DAY_MS),
      dayKind,
    });
    if (!result.fitted) throw new Error('not fitted');
    expect(result.fit.withTemperature).toBe(true);
    const profile = forecastConsumption({ now: new Date(NOW), slotStarts: nextDay, history, dayKind });
    expect(mae(result.meanW, truth)).toBeLessThan(0.25 * mae(profile, truth));
    // The slope below 15 °C lies between the two hinges: their sum near 120 W/K where both apply.
    const { belowHigh, belowLow } = result.fit.slopesWPerK;
    expect(belowHigh + belowLow).toBeGreaterThan(90);
    expect(belowHigh + belowLow).toBeLessThan(150);
  });

  it.each([
    ['no temperature at all', undefined],
    ['a temperature over the history only, none for the horizon', temperatures(NOW - 29 * DAY_MS, NOW)],
  ])('without a temperature for every slot (%s) it is a profile: no heating terms', (_name, temps) => {
    const fit = fitWeatherLoad({ now: new Date(NOW), slotStarts: nextDay, history, temperatures: temps, dayKind });
    expect(fit?.withTemperature).toBe(false);
    expect(fit?.slopesWPerK).toEqual({ belowHigh: 0, belowLow: 0, dayMeanBelowHigh: 0 });
  });

  it('never learns a negative heating slope (a load that grows when it is warmer is not heating)', () => {
    const warmer = series(NOW - 28 * DAY_MS, NOW, (t) => shapeW(new Date(t)) + 80 * temperatureC(t));
    const fit = fitWeatherLoad({
      now: new Date(NOW),
      slotStarts: nextDay,
      history: warmer,
      temperatures: temperatures(NOW - 29 * DAY_MS, NOW + DAY_MS),
      dayKind,
    });
    for (const slope of Object.values(fit!.slopesWPerK)) expect(slope).toBeGreaterThanOrEqual(0);
  });

  it('with less than three days of history it does not fit (the caller keeps its profile)', () => {
    const short = series(NOW - 2 * DAY_MS, NOW, (t) => shapeW(new Date(t)));
    expect(forecastLoadWithWeather({ now: new Date(NOW), slotStarts: nextDay, history: short, dayKind })).toEqual({
      fitted: false,
    });
  });

  it('follows a change of level within days: the backtest picks a short half-life after a step', () => {
    // 24 days at one level, the last 4 at twice it (a new tenant): the next day is at the new level.
    const stepped = series(NOW - 28 * DAY_MS, NOW, (t) => shapeW(new Date(t)) * (t >= NOW - 4 * DAY_MS ? 2 : 1));
    const result = forecastLoadWithWeather({ now: new Date(NOW), slotStarts: nextDay, history: stepped, dayKind });
    if (!result.fitted) throw new Error('not fitted');
    expect(result.fit.halfLifeDays).toBe(3);
    const newLevel = nextDay.map((at) => 2 * shapeW(at));
    const profile = forecastConsumption({ now: new Date(NOW), slotStarts: nextDay, history: stepped, dayKind });
    expect(mae(result.meanW, newLevel)).toBeLessThan(mae(profile, newLevel));
  });

  it('keeps weekday and weekend levels apart', () => {
    const offices = series(NOW - 28 * DAY_MS, NOW, (t) =>
      dayKind(new Date(t)) === 'weekend' ? 100 : shapeW(new Date(t)),
    );
    // 2026-02-01 is a Sunday.
    const result = forecastLoadWithWeather({ now: new Date(NOW), slotStarts: nextDay, history: offices, dayKind });
    if (!result.fitted) throw new Error('not fitted');
    for (const w of result.meanW) expect(w).toBeCloseTo(100, 0);
  });

  it('blends the latest reading into the first hours, as the profile forecast does', () => {
    const result = forecastLoadWithWeather({
      now: new Date(NOW),
      slotStarts: nextDay,
      history,
      dayKind,
      latest: { at: new Date(NOW), powerW: 5000 },
    });
    if (!result.fitted) throw new Error('not fitted');
    expect(result.meanW[0]).toBeCloseTo(5000, 0);
    expect(result.meanW[23]).toBeLessThan(2500);
  });
});
