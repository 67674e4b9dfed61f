/** The plan document: published on `ilot/v1/{site}/schedule`, served by the API, written by `ilot optimise`. */
export type ScheduleStatus = 'optimal' | 'feasible' | 'fallback';

export interface ScheduleDevicePlan {
  /** battery: sign convention (> 0 discharge); pv: power curtailed (>= 0); flexible load: power shed (>= 0). */
  setpointW: number;
  /** battery only: state of charge at the end of the slot. */
  socPct?: number;
  /** flexible load only: power drawn above its baseline to recover energy shed earlier (>= 0). */
  recoveryW?: number;
}

export interface ScheduleSlot {
  start: string;
  /** Expected grid power (> 0 import). */
  gridW: number;
  /** Expected non-controllable consumption and PV production (before curtailment). */
  consumptionW: number;
  pvW: number;
  /** Why the plan is what it is in this slot: the import price, the tariff period, the contracted power. */
  importEurPerKWh?: number;
  period?: 'HP' | 'HC';
  importLimitW?: number;
  /** How much more the îlot may import than forecast at P90 (the measured error the contract guard holds against), W. */
  importAboveForecastP90W?: number;
  devices: Record<string, ScheduleDevicePlan>;
}

/**
 * A soft constraint the plan could not keep, and by how much: import above the contracted power or
 * above an effacement cap in a slot (W), or energy an EV will lack at its departure (Wh, `slotStart`
 * is the departure).
 */
export type ConstraintViolation =
  | { constraint: 'importLimit'; slotStart: string; amountW: number }
  | { constraint: 'effacement'; id: string; slotStart: string; amountW: number }
  | { constraint: 'evEnergy'; id: string; slotStart: string; amountWh: number };

export interface Schedule {
  siteId: string;
  generatedAt: string;
  status: ScheduleStatus;
  solver: string;
  objectiveEur: number;
  slotMinutes: number;
  /** Why the plan is a fallback, when it is one. */
  reason?: string;
  violations: ConstraintViolation[];
  /** Effacement windows the plan honours (orders and EcoWatt alerts), with the import cap each set. */
  effacements?: Array<{ id: string; start: string; end: string; importCapW: number }>;
  /**
   * What the consumption forecast stood on; `coldStart`: no history, one value for every slot (a guess, said so).
   * `pvSource`: the external PV forecast used (its source, issue, the slots it covered, whether calibrated), or that the
   * planner's own forecast planned (OWN_PV_SOURCE). `loadModel`: the consumption's forecast (the learnt model, what it
   * stood on and learnt, or the profile).
   */
  forecast?: { historyDays: number; coldStart: boolean; note?: string; pvSource?: string; loadModel?: string };
  /** Inputs left out or estimated because they were stale or offline ("device: why"); empty when all were fresh. */
  staleInputs?: string[];
  /** Many îlots (issue 14): the planner instance that made this plan and its lease's fencing token for the site. */
  lease?: { holder: string; token: number };
  slots: ScheduleSlot[];
}
