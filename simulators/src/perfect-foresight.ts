import { MINUTE_MS } from '@ilot/domain';
import { FORECAST_KINDS, type LpSolver, plan, planInputFromForecasts, type Schedule } from '@ilot/optimiser';
import type { Site } from '@ilot/site';
import { IlotWorld } from './ilot-world';
import type { ProfileTable } from './profile-table';

/**
 * The bound of a replay: the batteries planned once over the whole period with the true consumption and PV (read from
 * a shadow world that runs the same profiles), at the replay's step, with the same wear cost and start SoC. What a
 * planner with perfect forecasts and nothing to re-plan would do; loads are not shed. Returns the plan, each step's
 * battery setpoints in it.
 */
export function perfectForesightPlan(
  site: Site,
  profiles: ProfileTable,
  options: { start: Date; days: number; stepMinutes: number; initialSocPct?: number; solver: LpSolver },
): Schedule {
  const shadow = new IlotWorld(site, profiles, options.initialSocPct);
  const socPct = new Map([...shadow.batteries].map(([id, b]) => [id, b.socPct]));
  const stepMs = options.stepMinutes * MINUTE_MS;
  const steps = Math.round((options.days * 1440) / options.stepMinutes);
  const slotStarts = Array.from({ length: steps }, (_, k) => new Date(options.start.getTime() + k * stepMs));
  const forecastIds = [...site.devices.values()].filter((d) => FORECAST_KINDS.has(d.kind)).map((d) => d.id);
  const powerW = new Map<string, number[]>(forecastIds.map((id) => [id, []]));
  for (const at of slotStarts)
    for (const reading of shadow.step(at)) powerW.get(reading.deviceId)?.push(reading.powerW);
  const input = planInputFromForecasts(site, { slotStarts, slotMinutes: options.stepMinutes, powerW }, { socPct });
  return plan(input, options.solver).schedule;
}
