/** The plan document: published on `ilot/v1/{site}/schedule`, served by the API, written by `ilot optimise`. */
export type ScheduleStatus = 'optimal' | 'feasible' | 'fallback';

export interface ScheduleDevicePlan {
  /** battery: sign convention (> 0 discharge); pv: power curtailed (>= 0); flexible load: power shed (>= 0). */
  setpointW: number;
  /** battery only: state of charge at the end of the slot. */
  socPct?: number;
}

export interface ScheduleSlot {
  start: string;
  /** Expected grid power (> 0 import). */
  gridW: number;
  /** Expected non-controllable consumption and PV production (before curtailment). */
  consumptionW: number;
  pvW: number;
  devices: Record<string, ScheduleDevicePlan>;
}

export interface ConstraintViolation {
  constraint: 'importLimit';
  slotStart: string;
  amountW: number;
}

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
  /** Inputs left out or estimated because they were stale or offline ("device: why"); empty when all were fresh. */
  staleInputs?: string[];
  slots: ScheduleSlot[];
}
