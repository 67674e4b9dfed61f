import { LpModel, LpModelBuilder } from './lp-model';
import { PlanInput } from './plan-input';

/** Where each decision variable sits in the model, for decodeSchedule. Units inside the LP: kW, kWh, EUR. */
export interface ModelIndex {
  importKw: number[];
  exportKw: number[];
  importExcessKw: number[];
  batteries: Array<{ chargeKw: number[]; dischargeKw: number[]; energyKwh: number[] }>;
  pvCurtailKw: number[][];
}

/**
 * Tie-break: EUR per kWh added to charging and discharging, growing from 0 to this over the
 * horizon, far below any price difference. Between equal-cost plans it picks the one that stores
 * a surplus as soon as it comes and uses stored energy as soon as it saves money, rather than
 * holding it for a later slot the forecast may get wrong (MODEL.md).
 */
export const TIE_BREAK_EUR_PER_KWH = 1e-4;

export interface BuiltModel {
  model: LpModel;
  index: ModelIndex;
}

/**
 * The îlot battery LP of MODEL.md. Pure: the same input gives the same model.
 * Variables per slot t: import, export, import above the contracted power (penalised), per
 * battery charge, discharge and stored energy at the end of t, per PV the power curtailed.
 */
export function buildModel(input: PlanInput): BuiltModel {
  const b = new LpModelBuilder();
  const hours = input.slotMinutes / 60;
  const slotCount = input.slots.length;
  const index: ModelIndex = { importKw: [], exportKw: [], importExcessKw: [], batteries: [], pvCurtailKw: [] };
  const minImportPrice = Math.min(...input.slots.map((s) => s.importEurPerKWh));

  input.slots.forEach((slot, t) => {
    index.importKw.push(b.addVariable(`import[${t}]`, 0, Infinity, slot.importEurPerKWh * hours));
    index.exportKw.push(b.addVariable(`export[${t}]`, 0, input.connection.exportLimitW / 1000, -slot.exportEurPerKWh * hours));
    index.importExcessKw.push(b.addVariable(`importExcess[${t}]`, 0, Infinity, input.importLimitPenaltyEurPerKWh * hours));
  });
  input.batteries.forEach((battery, k) => {
    const capacityKwh = battery.capacityWh / 1000;
    const vars = { chargeKw: [] as number[], dischargeKw: [] as number[], energyKwh: [] as number[] };
    for (let t = 0; t < slotCount; t++) {
      const wearEurPerKWh = input.cyclingCostEurPerKWh + (TIE_BREAK_EUR_PER_KWH * t) / slotCount;
      vars.chargeKw.push(b.addVariable(`charge[${k}][${t}]`, 0, battery.maxChargeW / 1000, wearEurPerKWh * hours));
      vars.dischargeKw.push(b.addVariable(`discharge[${k}][${t}]`, 0, battery.maxDischargeW / 1000, wearEurPerKWh * hours));
      // Stored energy left at the end of the horizon is worth what it saves later, at the cheapest price seen.
      const terminalValue = t === slotCount - 1 ? -minImportPrice * battery.dischargeEfficiency : 0;
      vars.energyKwh.push(b.addVariable(`energy[${k}][${t}]`, (battery.minSocPct / 100) * capacityKwh, (battery.maxSocPct / 100) * capacityKwh, terminalValue));
    }
    const initialKwh = (Math.min(Math.max(battery.socPct, battery.minSocPct), battery.maxSocPct) / 100) * capacityKwh;
    for (let t = 0; t < slotCount; t++) {
      // energy[t] - energy[t-1] - ηc·h·charge[t] + h/ηd·discharge[t] = 0 (energy[-1] is the initial SoC)
      const terms: Array<[number, number]> = [
        [vars.energyKwh[t], 1],
        [vars.chargeKw[t], -battery.chargeEfficiency * hours],
        [vars.dischargeKw[t], hours / battery.dischargeEfficiency],
      ];
      if (t > 0) terms.push([vars.energyKwh[t - 1], -1]);
      const rhs = t === 0 ? initialKwh : 0;
      b.addConstraint(`soc[${k}][${t}]`, terms, rhs, rhs);
    }
    index.batteries.push(vars);
  });
  input.pvs.forEach((pv, p) => {
    index.pvCurtailKw.push(input.slots.map((_, t) => b.addVariable(`curtail[${p}][${t}]`, 0, Math.max(pv.forecastW[t], 0) / 1000, 0)));
  });

  input.slots.forEach((slot, t) => {
    // Energy balance: import - export + Σ discharge - Σ charge - Σ curtail = consumption - Σ pv
    const pvKw = input.pvs.reduce((sum, pv) => sum + Math.max(pv.forecastW[t], 0), 0) / 1000;
    const terms: Array<[number, number]> = [
      [index.importKw[t], 1],
      [index.exportKw[t], -1],
    ];
    for (const battery of index.batteries) terms.push([battery.dischargeKw[t], 1], [battery.chargeKw[t], -1]);
    for (const curtail of index.pvCurtailKw) terms.push([curtail[t], -1]);
    const rhs = slot.consumptionW / 1000 - pvKw;
    b.addConstraint(`balance[${t}]`, terms, rhs, rhs);
    // Contracted import power, soft: import - excess <= limit
    b.addConstraint(
      `importLimit[${t}]`,
      [
        [index.importKw[t], 1],
        [index.importExcessKw[t], -1],
      ],
      -Infinity,
      input.connection.importLimitW / 1000,
    );
  });
  return { model: b.build(), index };
}
