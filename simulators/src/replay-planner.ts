import { DAY_MS, type EffacementOrder, HISTORY_MS, localDateTime, MINUTE_MS } from '@ilot/domain';
import { referenceMeanW, type ReferenceOptions } from '@ilot/effacement';
import {
  committedGridW,
  type LpSolver,
  type PlanFlexibleLoad,
  PLAN_DEFAULTS,
  type PlanInput,
  planStep,
  PV_CALIBRATION_DAYS,
  type Schedule,
  type SiteObservations,
} from '@ilot/optimiser';
import type { CommandPayload } from '@ilot/protocol';
import { type ExternalPvPoint, forecastAsIssuedAt, forecastAsPlanned, type IssuedPvForecast } from '@ilot/forecasting';
import { devicesOfKind, type Site } from '@ilot/site';
import type { TempoColour } from '@ilot/tariffs';
import type { BatteryStrategy } from './replay-types';
import type { IlotWorld } from './ilot-world';
import type { ForeseenEv } from './perfect-foresight';
import { NET_OF_STORAGE, type ReplayMeter } from './replay-meter';

let cmdCounter = 0;
const commandId = () => `00000000-0000-4000-8000-${(++cmdCounter).toString(16).padStart(12, '0')}`;

/**
 * The replay's planner and dispatcher: plans from what the world has shown (the live loop's observations: the
 * latest readings, 7 days of slot means, the orders with their references), sends what the live command policy
 * sends, and keeps each device's command as the live dispatcher does. `idle` holds every battery at 0 instead.
 */
export class ReplayPlanner {
  plans = 0;
  planMs = 0;
  /** The grid power the plans in force committed to, per slot start of an order (ms). */
  readonly plannedGridW = new Map<number, number>();
  /** Slots of an order the plans expected above their cap. */
  readonly shortSlots = new Set<string>();
  private readonly current = new Map<string, CommandPayload>();
  /** The slots the plans priced with an issued PV forecast, and with the planner's own (`--pv-forecast`). */
  readonly pvSlots = { issued: 0, own: 0 };
  /** The last valid plan, kept while the solver gives none, as the live loop keeps it. */
  private lastValid: Schedule | undefined;
  private readonly historySlots: number;
  /** The PV calibration's window, slots (PV_CALIBRATION_DAYS). */
  private readonly calibrationSlots: number;
  /** The issued PV forecasts' points as the planner had each when its slot began, sorted by instant. */
  private readonly asPlanned: ExternalPvPoint[];

  constructor(
    private readonly site: Site,
    private readonly world: IlotWorld,
    private readonly meter: ReplayMeter,
    private readonly orders: readonly EffacementOrder[],
    private readonly referenceOptions: ReferenceOptions,
    private readonly options: {
      slotMinutes: number;
      horizonSlots: number;
      solver: LpSolver;
      graceMs: number;
      /** The one plan of the whole period and its sheddable loads, for the perfect-foresight strategy. */
      perfectForesight?: { schedule: Schedule; loads: PlanFlexibleLoad[]; evs: ForeseenEv[] };
      /** The true future as slot means (device -> slot start ms -> W), for the oracle-forecast strategy, and what of it it is told. */
      oracle?: Map<string, Map<number, number>>;
      oracleKnows?: readonly OracleKnowledge[];
      /** The sheddable loads' debts are not told to the planner (ReplayOptions.owedUnreported). */
      owedUnreported?: boolean;
      /** Plans weigh the PV forecast's quantiles (ReplayOptions.pvScenarios). */
      pvScenarios?: boolean;
      /** PV forecasts as they were issued: each plan has the newest out by its instant (forecastAsIssuedAt). */
      issuedPv?: IssuedPvForecast[];
      /** The Tempo colours of the replayed dates: each known to the planner from 11:00 local the day before. */
      tempo?: ReadonlyMap<string, TempoColour>;
    },
  ) {
    this.historySlots = HISTORY_MS / (options.slotMinutes * MINUTE_MS);
    this.calibrationSlots = (PV_CALIBRATION_DAYS * DAY_MS) / (options.slotMinutes * MINUTE_MS);
    this.asPlanned = options.issuedPv ? forecastAsPlanned(options.issuedPv) : [];
  }

  /** Plans (or idles) at `now` and hands the world the commands that go out. */
  command(now: Date, strategy: Exclude<BatteryStrategy, 'self-consumption'>, idleUntil: Date): void {
    const commands =
      strategy === 'optimised' || strategy === 'oracle-forecast'
        ? this.planned(now)
        : strategy === 'perfect-foresight'
          ? this.foresee(now, idleUntil)
          : this.idle(now, idleUntil);
    for (const { deviceId, command } of commands)
      if (this.world.command(deviceId, command, now).status === 'applied') this.current.set(deviceId, command);
  }

  /** Every battery held at 0 W until `until`. */
  private idle(now: Date, until: Date, setpointW: (deviceId: string) => number = () => 0, reason = 'idle') {
    return [...this.world.batteries.keys()].map((deviceId) => ({
      deviceId,
      command: {
        cmdId: commandId(),
        type: 'battery.setpoint' as const,
        issuedAt: now.toISOString(),
        validFrom: now.toISOString(),
        validUntil: until.toISOString(),
        setpointW: setpointW(deviceId),
        reason,
      },
    }));
  }

  /**
   * The perfect-foresight plan's step that holds `now`: its battery setpoints, and for each sheddable load a limit at its
   * true demand less what the plan sheds, or none where the plan has it make up what it owes (a load controller makes
   * up only without a limit). A limit at the demand itself holds a load the plan neither sheds nor recovers to its
   * own demand, so it rebounds when the plan says, not as soon as a shed ends.
   */
  private foresee(now: Date, until: Date): Array<{ deviceId: string; command: CommandPayload }> {
    const foresight = this.options.perfectForesight;
    if (!foresight?.schedule.slots.length) return [];
    const { schedule, loads } = foresight;
    const index = Math.floor(
      (now.getTime() - Date.parse(schedule.slots[0].start)) / (schedule.slotMinutes * MINUTE_MS),
    );
    const slot = schedule.slots[index];
    if (!slot) return [];
    // Its setpoints alone: the world follows the plan step for step (it plans from the world's own start), and a
    // ceiling held each 5 minutes would undo what it plans on 15-min means.
    const batteries = this.idle(now, until, (id) => slot.devices[id]?.setpointW ?? 0, 'perfect-foresight');
    // Each load at its true demand less what the plan sheds, or plus what it recovers: the world's rebound no larger
    // than the plan's (free, a load made up its whole debt at once and overran the contract the plan held).
    const limits = loads.map((load) => {
      const planned = slot.devices[load.id];
      const maxW = load.baselineW[index] - Math.max(planned?.setpointW ?? 0, 0) + Math.max(planned?.recoveryW ?? 0, 0);
      return this.limit('load.limit', load.id, maxW, now, until);
    });
    // Each car plugged now charges what the plan gives its visit in this step.
    for (const ev of foresight.evs)
      if (ev.availableFrom! <= now && now < ev.departure)
        limits.push(this.limit('ev.limit', ev.deviceId, slot.devices[ev.id]?.setpointW ?? 0, now, until));
    return [...batteries, ...limits];
  }

  private limit(type: 'load.limit' | 'ev.limit', deviceId: string, maxW: number, now: Date, until: Date) {
    return {
      deviceId,
      command: {
        cmdId: commandId(),
        type,
        issuedAt: now.toISOString(),
        validFrom: now.toISOString(),
        validUntil: until.toISOString(),
        maxW: Math.max(Math.round(maxW), 0),
        reason: 'perfect-foresight',
      },
    };
  }

  private planned(now: Date) {
    const { meter, historySlots } = this;
    const effacements = this.orders
      .filter((o) => o.end.getTime() > now.getTime())
      .map((o) => ({
        ...o,
        referenceW: referenceMeanW(meter.slotHistory.get(NET_OF_STORAGE)!, o, this.referenceOptions),
      }));
    const observations = {
      latest: meter.latest,
      consumptionHistory: meter.consumptionHistory.slice(-historySlots),
      pvHistory: meter.pvHistory.slice(-historySlots),
      flexibleHistory: new Map(
        [...this.world.loads.keys(), ...this.world.chargers.keys()].map((id) => [
          id,
          meter.slotHistory.get(id)!.slice(-historySlots),
        ]),
      ),
      evSessions: meter.evSessions,
      // As the live planner reads them: what the loads' telemetry says they owe.
      ...(this.options.owedUnreported || meter.owedWh.size === 0 ? {} : { owedWh: meter.owedWh }),
      signals: { effacements, ecowatt: [], tempo: this.tempoKnownAt(now) },
      ...this.issuedForecast(now),
    };
    const step = planStep(
      {
        site: this.site,
        observations,
        now,
        settings: {
          slotMinutes: this.options.slotMinutes,
          horizonSlots: this.options.horizonSlots,
          cyclingCostEurPerKWh: PLAN_DEFAULTS.cyclingCostEurPerKWh,
          ...(this.options.pvScenarios ? { pvScenarios: true } : {}),
          keepMs: PLAN_DEFAULTS.planKeepS * 1000,
          graceMs: this.options.graceMs,
        },
        lastValid: this.lastValid,
        current: (id) => this.current.get(id),
        newId: commandId,
        ...(this.options.oracle
          ? { adjustInput: (input) => withTrueFuture(input, this.options.oracle!, this.options.oracleKnows) }
          : {}),
      },
      this.options.solver,
    );
    this.lastValid = step.lastValid;
    if (this.options.issuedPv) {
      this.pvSlots.issued += step.pvExternalSlots;
      this.pvSlots.own += step.input.slots.length - step.pvExternalSlots;
    }
    this.plans++;
    this.planMs += step.outcome.buildMs + step.outcome.solveMs + step.outcome.decodeMs;
    this.noteOrders(step.outcome.schedule);
    return step.commands;
  }

  /**
   * The newest issued PV forecast out at `now`, from the slot of `now` on, and what its calibration learns from: the
   * past PV_CALIBRATION_DAYS of points as planned beside each array's measured slot means.
   */
  private issuedForecast(now: Date): Pick<SiteObservations, 'pvForecast' | 'pvCalibrationHistory'> {
    if (!this.options.issuedPv) return {};
    const slotMs = this.options.slotMinutes * MINUTE_MS;
    const firstMs = Math.floor(now.getTime() / slotMs) * slotMs;
    const issued = forecastAsIssuedAt(this.options.issuedPv, now, firstMs);
    if (!issued) return {};
    const fromMs = firstMs - PV_CALIBRATION_DAYS * DAY_MS;
    const forecast = this.asPlanned.slice(
      lowerBoundByAt(this.asPlanned, fromMs),
      lowerBoundByAt(this.asPlanned, firstMs),
    );
    const measured = new Map(
      devicesOfKind(this.site, 'pv').map((pv) => [
        pv.id,
        this.meter.slotHistory.get(pv.id)!.slice(-this.calibrationSlots),
      ]),
    );
    return { pvForecast: { ...issued, source: 'issued' }, pvCalibrationHistory: { forecast, measured } };
  }

  /**
   * The Tempo colours a planner has at `now`: today's and the days before, and tomorrow's from 11:00 local (RTE
   * publishes the next day's colour late in the morning).
   */
  private tempoKnownAt(now: Date): Map<string, TempoColour> {
    const tempo = this.options.tempo;
    if (!tempo) return new Map();
    const local = localDateTime(now, this.site.timezone);
    const lastMs = Date.parse(`${local.date}T00:00:00Z`) + (local.minuteOfDay >= 11 * 60 ? DAY_MS : 0);
    return new Map([...tempo].filter(([date]) => Date.parse(`${date}T00:00:00Z`) <= lastMs));
  }

  /** The plan in force for each slot of an order: its committed grid power, and whether it expects to miss the cap. */
  private noteOrders(schedule: Schedule): void {
    const first = schedule.slots[0];
    const startMs = first ? Date.parse(first.start) : NaN;
    if (!first || !this.orders.some((o) => startMs >= o.start.getTime() && startMs < o.end.getTime())) return;
    this.plannedGridW.set(startMs, committedGridW(schedule));
    if (schedule.violations.some((v) => v.constraint === 'effacement' && v.slotStart === first.start))
      this.shortSlots.add(first.start);
  }
}

/**
 * What the oracle-forecast strategy is told of the future: the PV, the consumption (with the loads' baselines), or both;
 * `sheddable`: the sheddable loads' baselines alone (the consumption stays forecast).
 */
export type OracleKnowledge = 'pv' | 'load' | 'sheddable';

/**
 * The live planner's input with its forecasts replaced by the true future (the oracle-forecast strategy): the îlot's
 * consumption and each sheddable load's baseline (`load`), each PV array (`pv`), slot by slot; a slot the truth does
 * not cover keeps its forecast. What is lost to forecast error is then the gap between this strategy and `optimised`;
 * told one of the two, the share each forecast loses. Told both, the contract guard goes: the truth has no error to
 * hold a reserve against.
 */
export function withTrueFuture(
  input: PlanInput,
  truth: ReadonlyMap<string, ReadonlyMap<number, number>>,
  knows: readonly OracleKnowledge[] = ['pv', 'load'],
): PlanInput {
  // A planned EV's charging is the plan's until it leaves: its charger's truth (the car on its own) is not consumption.
  const departures = new Map((input.evs ?? []).map((ev) => [ev.id, ev.departure]));
  const at = (id: string, slot: Date) => (slot < (departures.get(id) ?? slot) ? 0 : truth.get(id)?.get(slot.getTime()));
  const consumers = [...truth.keys()].filter((id) => !input.pvs.some((pv) => pv.id === id));
  const load = knows.includes('load');
  const pv = knows.includes('pv');
  const sheddable = load || knows.includes('sheddable');
  return {
    ...input,
    contractGuard: load && pv ? undefined : input.contractGuard,
    slots: !load
      ? input.slots
      : input.slots.map((slot) => {
          const values = consumers.map((id) => at(id, slot.start));
          return values.every((v) => v !== undefined)
            ? { ...slot, consumptionW: values.reduce((sum: number, v) => sum + v!, 0) }
            : slot;
        }),
    pvs: !pv
      ? input.pvs
      : input.pvs.map((array) => ({
          ...array,
          forecastW: input.slots.map((s, t) => at(array.id, s.start) ?? array.forecastW[t]),
        })),
    flexibleLoads: !sheddable
      ? input.flexibleLoads
      : input.flexibleLoads?.map((flexible) => ({
          ...flexible,
          baselineW: input.slots.map((s, t) => at(flexible.id, s.start) ?? flexible.baselineW[t]),
        })),
  };
}

/** The index of the first point at or after `ms` in points sorted by instant. */
function lowerBoundByAt(points: readonly ExternalPvPoint[], ms: number): number {
  let low = 0;
  let high = points.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (points[middle].at.getTime() < ms) low = middle + 1;
    else high = middle;
  }
  return low;
}
