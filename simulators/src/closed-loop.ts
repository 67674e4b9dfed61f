import { DAY_MS, type EffacementOrder, HISTORY_DAYS, MINUTE_MS } from '@ilot/domain';
import { REFERENCE_DEFAULTS, ReferenceOptions } from '@ilot/effacement';
import { JavascriptLpSolverAdapter, LpSolver, PLAN_DEFAULTS, type StoredEnergySegment } from '@ilot/optimiser';
import type { IssuedPvForecast } from '@ilot/forecasting';
import { type Site, withoutBatteries } from '@ilot/site';
import type { TempoColour } from '@ilot/tariffs';
import { effacementOutcome } from './effacement-outcome';
import { IlotWorld } from './ilot-world';
import { endOfPeriodValue, perfectForesightPlan, trueSeries, trueSlotMeans } from './perfect-foresight';
import type { MeasuredHistory } from './measured-history';
import { ProfileTable } from './profile-table';
import { NET_OF_STORAGE, ReplayMeter } from './replay-meter';
import type { BatteryStrategy, ReplayKpis } from './replay-types';

export type { BatteryStrategy, EffacementOutcome, ReplayKpis, SlotTrace } from './replay-types';
import { type OracleKnowledge, ReplayPlanner } from './replay-planner';

export type { OracleKnowledge } from './replay-planner';

export type { EffacementOrder } from '@ilot/domain';

export interface ReplayOptions {
  start: Date;
  days: number;
  stepMinutes?: number;
  slotMinutes?: number;
  horizonSlots?: number;
  initialSocPct?: number;
  /** How often the optimised strategy re-plans, minutes (the live loop re-plans on every new reading). */
  replanMinutes?: number;
  solver?: LpSolver;
  /** The optimised strategy plans from this instant; before it the controllers run on their own rule (history for the references). */
  planFrom?: Date;
  /** A command stays valid this long past the end of its slot, ms (the live default, ILOT_COMMAND_GRACE_S). */
  commandGraceMs?: number;
  /** Days of history the planner has at the start (the same world before it, batteries on their own rule); default 7, 0 for a cold start. */
  warmUpDays?: number;
  /** Called as the replay advances, with the share done (0 to 1), about once per simulated hour: a progress bar. */
  onProgress?: (doneShare: number) => void;
  /** Aggregator orders the optimised strategy answers (the others ignore them; all are measured). */
  effacements?: EffacementOrder[];
  /**
   * PV forecasts as they were issued (`--pv-forecast`, issue 27): at each plan the planner has, per point, the newest
   * issue out by then, never a later one; slots no issue covers keep its own forecast.
   */
  issuedPvForecasts?: IssuedPvForecast[];
  /** What the oracle-forecast strategy is told of the future (default both): one alone says what the other forecast loses. */
  oracleKnows?: readonly OracleKnowledge[];
  /**
   * The sheddable loads' controllers tell the planner nothing of what they owe (their telemetry carries no `owedWh`):
   * the planner sees only their draw, as before issue 27 (experiment; by default they tell it, as the simulated
   * controllers do live, and plans start from it and hold the rebound to when they recover it).
   */
  owedUnreported?: boolean;
  /** The planners weigh the PV forecast's 10 % and 90 % quantiles beside it (a two-stage plan, pv-scenarios.ts). */
  pvScenarios?: boolean;
  /**
   * The Tempo colours of the replayed dates (issue 27 §6: every day was priced blue): the replay prices each day by its
   * colour; the planners know a day's colour from 11:00 the day before (RTE publishes it then), the bound all of them.
   */
  tempoColours?: ReadonlyMap<string, TempoColour>;
}

/**
 * Closed-loop replay of the îlot on the shipped real profiles, without broker or database: the world steps every few
 * minutes; with `optimised` the planner re-plans from what the world has shown so far (the same buildPlanInput -> plan
 * as the optimiser app) and sends the commands the live command policy sends; `self-consumption` leaves the battery on
 * its controller's own rule; `idle` holds it at 0. Three stages per step: close the slot (its means), plan and
 * command, step the world and measure.
 */
export function replay(
  site: Site,
  profiles: ProfileTable | MeasuredHistory,
  strategy: BatteryStrategy,
  options: ReplayOptions,
): ReplayKpis {
  if (strategy === 'no-battery')
    return { ...replayIlot(withoutBatteries(site), profiles, 'optimised', options), strategy: 'no-battery' };
  return replayIlot(site, profiles, strategy, options);
}

/** The contractual reference the replay's effacement reports use, as the live ones do. */
function referenceOptionsOf(site: Site, slotMinutes: number): ReferenceOptions {
  return { timeZone: site.timezone, slotMinutes, ...REFERENCE_DEFAULTS, eventDays: new Set() };
}

function replayIlot(
  site: Site,
  profiles: ProfileTable | MeasuredHistory,
  strategy: BatteryStrategy,
  options: ReplayOptions,
): ReplayKpis {
  const stepMs = (options.stepMinutes ?? 5) * MINUTE_MS;
  const slotMinutes = options.slotMinutes ?? 15;
  const slotMs = slotMinutes * MINUTE_MS;
  const replanMs = (options.replanMinutes ?? options.stepMinutes ?? 5) * MINUTE_MS;
  const world = new IlotWorld(site, profiles, options.initialSocPct);
  const orders = options.effacements ?? [];
  const referenceOptions = referenceOptionsOf(site, slotMinutes);
  const tempo = options.tempoColours;
  const meter = new ReplayMeter(site, world, orders, tempo && ((date) => tempo.get(date)));
  // The planner starts with the history a live îlot would have (a cold start is not what an operator runs).
  const warmUpDays = options.warmUpDays ?? HISTORY_DAYS;
  if (warmUpDays > 0)
    meter.warmUp(new IlotWorld(site, profiles, options.initialSocPct), options.start, warmUpDays, stepMs, slotMs);
  const solver = options.solver ?? new JavascriptLpSolverAdapter();
  // What the batteries' energy is worth at the end: the replay's cost counts it, the bound plans with it.
  const endValue = endOfPeriodValue(site, profiles, { ...options, stepMinutes: stepMs / MINUTE_MS });
  const planner = new ReplayPlanner(site, world, meter, orders, referenceOptions, {
    slotMinutes,
    horizonSlots: options.horizonSlots ?? 96,
    solver,
    graceMs: options.commandGraceMs ?? PLAN_DEFAULTS.commandGraceS * 1000,
    ...(options.issuedPvForecasts ? { issuedPv: options.issuedPvForecasts } : {}),
    ...(tempo ? { tempo } : {}),
    ...(options.oracleKnows ? { oracleKnows: options.oracleKnows } : {}),
    owedUnreported: options.owedUnreported,
    pvScenarios: options.pvScenarios,
    ...whatTheFutureHolds(site, profiles, strategy, {
      ...options,
      stepMinutes: stepMs / MINUTE_MS,
      slotMinutes,
      solver,
      endValue,
    }),
  });
  const startMs = options.start.getTime();
  const endMs = startMs + options.days * DAY_MS;
  const planFromMs = options.planFrom?.getTime() ?? startMs;
  for (let t = startMs; t < endMs; t += stepMs) {
    const now = new Date(t);
    if (t % slotMs === 0) meter.closeSlot(t);
    // The planners wait for the first readings; the bound and the idle battery need none (regression, issue 27: left
    // on the controllers' rule for the first step, the bound's battery spent 4.7 kWh its plan counted on, and met the
    // floor 4.7 kWh early at the week's last peak).
    // The planners re-plan every replanMs; the bound's plan is per step, so it commands every step (regression: re-
    // planned every 15 min, it held its first 5-min setpoint for 15 and an optimiser beat it).
    const planning = strategy === 'optimised' || strategy === 'oracle-forecast';
    const everyMs = planning ? replanMs : stepMs;
    if (t % everyMs === 0 && strategy !== 'self-consumption' && (!planning || meter.latest.size > 0) && t >= planFromMs)
      planner.command(now, strategy, new Date(t + Math.max(everyMs, stepMs)));
    meter.record(now, world.step(now), stepMs / 3_600_000);
    if (options.onProgress && (t - startMs) % 3_600_000 === 0) options.onProgress((t - startMs) / (endMs - startMs));
  }
  // The last slot counts too (its peak, its energy above the contract, its overrun).
  if (endMs % slotMs === 0) meter.closeSlot(endMs);
  const effacementOutcomes = outcomes(orders, meter, planner, site, referenceOptions);
  const kpis = meter.kpis(strategy, effacementOutcomes, planner, new Date(endMs), endValue);
  return options.issuedPvForecasts ? { ...kpis, pvSlots: { ...planner.pvSlots } } : kpis;
}

/** Each effacement order's outcome, from the replay's slots and what the planner planned. */
function outcomes(
  orders: readonly EffacementOrder[],
  meter: ReplayMeter,
  planner: ReplayPlanner,
  site: Site,
  referenceOptions: ReferenceOptions,
) {
  return orders.map((order) =>
    effacementOutcome(
      order,
      meter.slotHistory.get(NET_OF_STORAGE)!,
      meter.slotHistory.get(meter.gridId)!,
      planner.plannedGridW,
      planner.shortSlots,
      meter.shedWh.get(order.id),
      site,
      referenceOptions,
    ),
  );
}

/** What a strategy knows of the future: the perfect-foresight plan, or the oracle's true slot means; nothing else. */
function whatTheFutureHolds(
  site: Site,
  profiles: ProfileTable | MeasuredHistory,
  strategy: BatteryStrategy,
  options: {
    start: Date;
    days: number;
    stepMinutes: number;
    slotMinutes: number;
    initialSocPct?: number;
    solver: LpSolver;
    tempoColours?: ReadonlyMap<string, TempoColour>;
    endValue: Readonly<Record<string, readonly StoredEnergySegment[]>>;
  },
) {
  if (strategy === 'perfect-foresight') return { perfectForesight: perfectForesightPlan(site, profiles, options) };
  if (strategy !== 'oracle-forecast') return {};
  // The horizon reaches a day past the replay's end.
  return {
    oracle: trueSlotMeans(trueSeries(site, profiles, { ...options, days: options.days + 1 }), options.slotMinutes),
  };
}
