import type { BatteryParameters, EffacementOrder, EvSession } from '@ilot/domain';
import type { ExternalPvPoint, PowerSample, TemperatureSample } from '@ilot/forecasting';
import type { TempoColour } from '@ilot/tariffs';

/** One planning slot: forecasts and prices, all in the sign convention of libs/domain. */
export interface PlanSlot {
  start: Date;
  /** Expected non-controllable consumption of the whole îlot (meters, heat pumps, EVs, loads), W >= 0. */
  consumptionW: number;
  importEurPerKWh: number;
  exportEurPerKWh: number;
  /** The contracted import power in this slot, W (its time class's subscription); default `connection.importLimitW`. */
  importLimitW?: number;
  /** HP/HC tariffs: the slot's period (local time). */
  period?: 'HP' | 'HC';
}

export interface PlanBattery extends BatteryParameters {
  id: string;
  /** State of charge at the start of the first slot. */
  socPct: number;
}

/** One part of the stored energy's value: this many kWh above the SoC floor, each worth this much. */
export interface StoredEnergySegment {
  kWh: number;
  eurPerKWh: number;
}

export interface PlanPv {
  id: string;
  /** Expected production per slot, W >= 0 (same length as `slots`). */
  forecastW: number[];
}

/**
 * A load the planner may shed and must pay back later (heat pump, water heater, flexible load).
 * Its baseline is part of `PlanSlot.consumptionW`; the plan says how much of it to shed or recover.
 */
export interface PlanFlexibleLoad {
  id: string;
  /** Expected power without intervention, W per slot (same length as `slots`). */
  baselineW: number[];
  /** Most power the load may shed, W. */
  maxShedW: number;
  /** Rated power: recovery may run the load up to this, W. */
  ratedW: number;
  /** Comfort limit: energy shed and not yet recovered stays below maxShedW x maxShedMinutes (an LP stand-in for "at most this long"). */
  maxShedMinutes: number;
  /** Share of the shed energy that must be consumed again within the horizon (1 for heating and hot water). */
  recoveryRatio: number;
  /**
   * Energy it was denied before now and has not made up, Wh, as its controller counts it: the plan starts owing it
   * (pays it back within the horizon) and holds its rebound to when it plans it. Absent: nothing owed.
   */
  owedWh?: number;
}

/** An EV plugged in that needs energy by a departure time. Its charging is not part of `consumptionW`. */
export interface PlanEv {
  /** The charger's id (live), or a visit's own id when the plan sees several cars at a charger (`deviceId` then names it). */
  id: string;
  deviceId?: string;
  maxW: number;
  /** Energy the EV still needs, Wh. */
  energyNeededWh: number;
  /** It can charge in slots that start before this instant. */
  departure: Date;
  /** It can charge in slots that start at or after this instant (a car yet to come, planned ahead); absent: from now. */
  availableFrom?: Date;
  /** What each kWh it lacks at departure costs, EUR (default PLAN_DEFAULTS.evShortfallPenaltyEurPerKWh: a stranded driver). */
  shortfallEurPerKWh?: number;
}

/**
 * A demand-response window: during [start, end) the îlot's import stays below `importCapW`
 * (an explicit cap, or a reference minus the reduction asked); each kWh above is paid `penaltyEurPerKWh`.
 */
export interface PlanEffacement {
  id: string;
  start: Date;
  end: Date;
  importCapW: number;
  penaltyEurPerKWh: number;
  /**
   * Power the plan keeps in hand below the cap, W: it plans the import this much lower (stores the energy for it), while
   * the battery commands hold the connection at the cap itself, so the reserve covers a consumption above the forecast.
   */
  reserveW?: number;
  /** What the order asks beyond the reference import itself, W: no import can deliver it (reported as a shortfall in every slot). */
  unreachableW?: number;
}

/** Effacement windows made from an EcoWatt alert have ids starting with this (an order keeps the aggregator's id). */
export const ECOWATT_WINDOW_PREFIX = 'ecowatt-';

/** The immutable snapshot the planner works from ("process image"): everything, including now. */
export interface PlanInput {
  siteId: string;
  now: Date;
  slotMinutes: number;
  slots: PlanSlot[];
  batteries: PlanBattery[];
  pvs: PlanPv[];
  connection: { importLimitW: number; exportLimitW: number };
  /** Wear cost per kWh through a battery (charge or discharge), EUR. */
  cyclingCostEurPerKWh: number;
  /** Penalty per kWh imported above the contracted power, EUR. */
  importLimitPenaltyEurPerKWh: number;
  flexibleLoads?: PlanFlexibleLoad[];
  evs?: PlanEv[];
  effacements?: PlanEffacement[];
  /**
   * The contract guard (contract-guard.ts): per slot how much more the îlot may import than forecast, W >= 0 (the
   * consumption at its upper quantile, PV at its lower one). The plan keeps the battery energy that holding the
   * contracted power against it needs. Absent: no reserve is kept (a forecast taken as the truth).
   */
  contractGuard?: { extraImportW: number[] };
  /**
   * What the consumption forecast stands on: the days of history it had, and whether it is a cold start (no history:
   * one value, the latest reading, for every slot), so the schedule can say so.
   */
  forecastBasis?: { historyDays: number; coldStart: boolean; pvSource?: string; loadModel?: string };
  /** Capacity charge on the horizon's highest import, EUR per kW, above `peakSoFarW` (the month's peak so far). */
  peak?: { eurPerKW: number; peakSoFarW: number };
  /**
   * The end of a closed period rather than of a rolling horizon (a replay's perfect-foresight bound, issue 27 §6): the
   * energy each battery holds at the end is worth its segments (by battery id, the most valuable first: instead of the
   * refill value this horizon's own forecast gives), and energy a shed load still owes then is bought after it at
   * `owedEurPerKWh` (instead of being paid back within the horizon). What the replay's cost net of storage counts.
   */
  endValue?: { storedSegments: Readonly<Record<string, readonly StoredEnergySegment[]>>; owedEurPerKWh: number };
  /**
   * The contracted power holds on the mean of each metering interval of this many minutes (the network operator's
   * 15-min means) rather than in each slot, when the slots are shorter (a replay's bound at its 5-min step).
   */
  contractIntervalMinutes?: number;
  /**
   * The PV forecast's other outcomes beside `pvs` (the central one), each with its probability (the central one has
   * the rest): per array in `pvs`' order, the power per slot. Given, the plan is two-stage (scenario-model.ts): its
   * expected cost over the outcomes, what it sends now the same for all of them.
   */
  pvScenarios?: Array<{ name: string; probability: number; forecastW: number[][] }>;
}

/**
 * Defaults. Cycling cost: battery wear per kWh through the battery, each way: an LFP system at
 * ~400 EUR/kWh installed lasting ~6000 full cycles costs 400 / (6000 x 2) = 0.033 EUR per kWh
 * charged or discharged. It keeps the planner from cycling for a margin smaller than the wear.
 */
export const PLAN_DEFAULTS = {
  slotMinutes: 15,
  horizonSlots: 96,
  cyclingCostEurPerKWh: 0.03,
  importLimitPenaltyEurPerKWh: 5,
  /** A command stays valid this long past the end of its slot, s (the controller's margin for a late next plan). */
  commandGraceS: 300,
  /** The last valid plan goes on this long while the solver gives none, s (then the rule-based fallback). */
  planKeepS: 3600,
  /** Discomfort per kWh shed: shifting a load must save more than this. */
  sheddingCostEurPerKWh: 0.01,
  /** Per kWh an EV lacks at departure: far above any energy price, so it is charged whenever it can be. */
  evShortfallPenaltyEurPerKWh: 2,
  /**
   * Per kWh a sheddable load still owes at the horizon's end: above any energy price, so the plan pays a debt back
   * whenever the load can take it, but below the contract's overrun, and finite: a debt larger than the horizon can pay
   * back (a controller's report, a load that was off) leaves a plan, not an infeasible model.
   */
  unpaidDebtEurPerKWh: 2,
  /** Per kWh of an aggregator's effacement order not delivered: above any import price, so every flexibility is used first. */
  effacementPenaltyEurPerKWh: 1,
  /** An order's reserve, as a share of the reference import: the scale of the consumption forecast's error over two hours. */
  effacementReserveShare: 0.2,
  /** EcoWatt orange (2) and red (3): a voluntary reduction of this share of the expected import, at this penalty per kWh missed. */
  ecowatt: { 2: { share: 0.1, penaltyEurPerKWh: 0.1 }, 3: { share: 0.2, penaltyEurPerKWh: 0.2 } },
} as const;

/** The contracted import power of slot t, W. */
export function slotImportLimitW(input: Pick<PlanInput, 'slots' | 'connection'>, t: number): number {
  return input.slots[t]?.importLimitW ?? input.connection.importLimitW;
}

export interface SiteObservations {
  /** Latest fresh reading per device (stale and offline ones already left out). */
  latest: ReadonlyMap<string, { ts: Date; powerW: number; socPct: number | null }>;
  /** Why a device has no entry in `latest` (offline, stale, silent), as `describeLiveness` says it. */
  unavailable?: ReadonlyMap<string, string>;
  /** Bucket means of the îlot's non-controllable consumption over the past days. */
  consumptionHistory: PowerSample[];
  /** Bucket means of the îlot's total PV production over the past day (the clearness to expect). */
  pvHistory?: PowerSample[];
  /**
   * Bucket means of each sheddable load (heat pump, flexible load) and EV charger over the past days, by device id:
   * its baseline forecast. A load without one is not planned as flexible (its power stays in the consumption).
   */
  flexibleHistory?: ReadonlyMap<string, PowerSample[]>;
  /** Each EV charger's session in force, fresh (ev-plan.ts): a plugged one the plan decides the charging of. */
  evSessions?: ReadonlyMap<string, EvSession>;
  /** Each sheddable load's energy denied and not made up yet, Wh, as its controller counts it (PlanFlexibleLoad.owedWh). */
  owedWh?: ReadonlyMap<string, number>;
  /** The newest external PV forecast (the `forecast` topic), fresh: it replaces clear sky x clearness where it covers a slot. */
  pvForecast?: { issuedAt: Date; source: string | null; points: ExternalPvPoint[] };
  /**
   * What the calibration of the external PV forecast learns from (issue 27 §4), over the past PV_CALIBRATION_DAYS: each
   * past slot's external forecast as the planner had it when the slot began (the newest issue out by then), and each
   * PV array's measured slot means. Without it the external forecast is taken raw.
   */
  pvCalibrationHistory?: { forecast: ExternalPvPoint[]; measured: ReadonlyMap<string, PowerSample[]> };
  /**
   * What the learnt load model learns from (issue 27 §5): the îlot's consumption in slot means over the past
   * LOAD_MODEL_WINDOW_DAYS (the recent days of `consumptionHistory` take over where they reach), and the air
   * temperatures the weather providers gave over those days and the horizon. Without it the profile forecast plans.
   */
  loadModelHistory?: { consumption: PowerSample[]; temperatures: TemperatureSample[] };
  /**
   * The learnt load model's half-life and levels' days as chosen earlier (the live observer chooses once a local day,
   * issue 30 §5: the choice's backtest was most of a plan's time); absent, each plan chooses (the replay).
   */
  loadModelChoice?: { halfLifeDays: number; grouping: 'kind of day' | 'day of week' };
  /** Signals in force over the horizon. */
  signals?: PlanSignals;
  /** The highest 15-min import of the current (local) month so far, W: what a peak charge is counted above. */
  monthPeakImportW?: number;
}

/** Demand-response signals as the planner takes them (validated upstream). */
export interface PlanSignals {
  /**
   * Orders; `referenceW`, when known, is the îlot's contractual reference import over the order (the courbe de
   * référence the delivery is counted against), so the plan aims at what will be measured; else the forecast import.
   */
  effacements: Array<EffacementOrder & { referenceW?: number }>;
  ecowatt: Array<{ level: 1 | 2 | 3; start: Date; end: Date }>;
  /** Tempo colour by local date (YYYY-MM-DD); days not given are blue. */
  tempo: ReadonlyMap<string, TempoColour>;
}
