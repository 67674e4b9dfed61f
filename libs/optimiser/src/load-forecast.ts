import { localDayKind } from '@ilot/domain';
import { forecastConsumption, type PowerSample } from '@ilot/forecasting';
import type { Site } from '@ilot/site';

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
