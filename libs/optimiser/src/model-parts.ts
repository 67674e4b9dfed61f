import type { LpModelBuilder } from './lp-model';
import type { PlanInput } from './plan-input';

/** Where each decision variable sits in the model, for decodeSchedule. Units inside the LP: kW, kWh, EUR. */
export interface ModelIndex {
  importKw: number[];
  exportKw: number[];
  importExcessKw: number[];
  batteries: Array<{ chargeKw: number[]; dischargeKw: number[]; energyKwh: number[] }>;
  pvCurtailKw: number[][];
  flexibleLoads: Array<{ shedKw: number[]; recoverKw: number[]; debtKwh: number[] }>;
  /** Per EV: its charging power per slot (undefined after departure) and the energy it lacks at departure. */
  evs: Array<{ chargeKw: Array<number | undefined>; shortfallKwh: number }>;
  /** Per effacement window: the slots it covers and the import above its cap in each. */
  effacements: Array<{ slots: number[]; excessKw: number[] }>;
  peakKw?: number;
  /** The contract guard's scenario: per slot the import above the contracted power it could not hold. */
  guardExcessKw?: number[];
}

/** What every part of the model is built with: the builder, the snapshot, the index it fills, the slot length. */
export interface ModelParts {
  b: LpModelBuilder;
  input: PlanInput;
  index: ModelIndex;
  hours: number;
}
