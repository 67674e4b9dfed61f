import type { BatteryParameters } from '@ilot/domain';

/** One planning slot: forecasts and prices, all in the sign convention of libs/domain. */
export interface PlanSlot {
  start: Date;
  /** Expected non-controllable consumption of the whole îlot (meters, heat pumps, EVs, loads), W >= 0. */
  consumptionW: number;
  importEurPerKWh: number;
  exportEurPerKWh: number;
}

export interface PlanBattery extends BatteryParameters {
  id: string;
  /** State of charge at the start of the first slot. */
  socPct: number;
}

export interface PlanPv {
  id: string;
  /** Expected production per slot, W >= 0 (same length as `slots`). */
  forecastW: number[];
}

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
}

/**
 * Defaults. Cycling cost: battery wear per kWh through the battery, each way: an LFP system at
 * ~400 EUR/kWh installed lasting ~6000 full cycles costs 400 / (6000 x 2) = 0.033 EUR per kWh
 * charged or discharged. It keeps the planner from cycling for a margin smaller than the wear.
 */
export const PLAN_DEFAULTS = { slotMinutes: 15, horizonSlots: 96, cyclingCostEurPerKWh: 0.03, importLimitPenaltyEurPerKWh: 5 } as const;
