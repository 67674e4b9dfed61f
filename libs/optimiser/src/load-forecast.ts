import { localDateTime, localDayKind, localDayOfWeek } from '@ilot/domain';
import {
  forecastConsumption,
  forecastLoadWithWeather,
  type PowerSample,
  type WeatherLoadFit,
  type WeatherLoadInput,
} from '@ilot/forecasting';
import type { Site } from '@ilot/site';
import type { SiteObservations } from './plan-input';

/**
 * A load's power per slot as the planner forecasts every load (the îlot's consumption, a sheddable load's baseline, a
 * charger's habit): the same slot of past days of the same local kind, blended with the latest reading. Pure.
 */
export function loadForecastW(
  site: Site,
  now: Date,
  slotStarts: readonly Date[],
  history: PowerSample[],
  latestW: number | undefined,
): number[] {
  return forecastConsumption({
    now,
    slotStarts: [...slotStarts],
    history,
    latest: latestW === undefined ? undefined : { at: now, powerW: latestW },
    dayKind: (at) => localDayKind(at, site.timezone),
  });
}

/**
 * The îlot's consumption per slot (issue 27 §5): the learnt load model (libs/forecasting weather-load-model) over the
 * observer's four weeks of consumption and the providers' temperatures, where it has them and enough days; the
 * profile forecast otherwise. Says which planned, for the schedule's `forecast.loadModel`. Pure.
 */
export function consumptionForecastW(
  site: Site,
  now: Date,
  slotStarts: readonly Date[],
  observations: Pick<SiteObservations, 'consumptionHistory' | 'loadModelHistory' | 'loadModelChoice'>,
  latestW: number | undefined,
): { forecastW: number[]; loadModel: string } {
  const model = observations.loadModelHistory;
  if (model) {
    const input = loadModelInput(site, now, slotStarts, observations, latestW)!;
    const result = forecastLoadWithWeather({ ...input, ...observations.loadModelChoice });
    if (result.fitted) return { forecastW: result.meanW, loadModel: describeFit(result.fit) };
  }
  return {
    forecastW: loadForecastW(site, now, slotStarts, observations.consumptionHistory, latestW),
    loadModel: model ? 'profile (too little history for the learnt model)' : 'profile',
  };
}

/** What the learnt load model is fitted on at a plan (the observer chooses the model on it once a day); none without its long history. Pure. */
export function loadModelInput(
  site: Site,
  now: Date,
  slotStarts: readonly Date[],
  observations: Pick<SiteObservations, 'consumptionHistory' | 'loadModelHistory'>,
  latestW: number | undefined,
): WeatherLoadInput | undefined {
  const model = observations.loadModelHistory;
  if (!model) return undefined;
  return {
    now,
    slotStarts,
    history: withRecent(model.consumption, observations.consumptionHistory),
    temperatures: model.temperatures,
    ...(latestW === undefined ? {} : { latest: { at: now, powerW: latestW } }),
    dayKind: (at: Date) => localDayKind(at, site.timezone),
    dayOfWeek: (at: Date) => localDayOfWeek(at, site.timezone),
    minuteOfDay: (at: Date) => localDateTime(at, site.timezone).minuteOfDay,
  };
}

/** The long history where the recent one does not reach, the recent one (read at this plan) from its first sample. */
function withRecent(long: readonly PowerSample[], recent: readonly PowerSample[]): PowerSample[] {
  if (recent.length === 0) return [...long];
  const recentFromMs = Math.min(...recent.map((s) => s.at.getTime()));
  return [...long.filter((s) => s.at.getTime() < recentFromMs), ...recent];
}

/** One line for the schedule: what the learnt model stood on and what it learnt. */
export function describeFit(fit: WeatherLoadFit): string {
  const { belowHigh, belowLow, dayMeanBelowHigh } = fit.slopesWPerK;
  const heating = fit.withTemperature
    ? `heating ${Math.round(belowHigh)} W/K below 18 °C, ${Math.round(belowLow)} W/K below 12 °C, ${Math.round(dayMeanBelowHigh)} W/K of the day's mean below 18 °C`
    : 'no temperature';
  return `learnt over ${fit.days} days (half-life ${fit.halfLifeDays} d, levels by ${fit.grouping}), ${heating}`;
}
