import type { ModelParts } from './model-parts';
import { slotImportLimitW } from './plan-input';

/**
 * Share of the contracted-power penalty paid per kWh the guard's scenario cannot hold: the scenario is a pessimistic
 * one (every slot at the upper quantile of the forecast error), so a kWh it misses costs less than a kWh the plan
 * itself imports above the contract; still far above any price difference, so the plan keeps the energy the guard
 * needs whenever the battery can hold it.
 */
export const GUARD_PENALTY_SHARE = 0.2;

/**
 * The contract guard (MODEL.md): the battery energy the real-time ceiling (`gridLimitW` of battery.setpoint) needs if
 * the forecast is wrong. A second state-of-charge trajectory runs beside the plan's: in it the îlot imports
 * `extraImportW[t]` more than forecast in every slot (consumption at its upper quantile, PV at its lower one), and the
 * batteries discharge beyond their setpoint (`guard`, up to their power) to keep the import at the contracted power,
 * as the controllers do in real time. The plan's own charge and discharge drive both trajectories: energy the guard
 * would need cannot be spent by the plan, unless the plan pays for what the guard then misses. Variables per battery
 * and slot: the guard's extra discharge and its stored energy; per slot, the import the guard could not hold.
 */
export function addContractGuard({ b, input, index, hours }: ModelParts): void {
  const extraImportW = input.contractGuard?.extraImportW;
  if (!extraImportW || input.batteries.length === 0 || !extraImportW.some((w) => w > 0)) return;
  const guardKw = input.batteries.map(() => [] as number[]);
  input.batteries.forEach((battery, k) => {
    const plan = index.batteries[k];
    const capacityKwh = battery.capacityWh / 1000;
    const initialKwh = (Math.min(Math.max(battery.socPct, battery.minSocPct), battery.maxSocPct) / 100) * capacityKwh;
    let previous: number | undefined;
    input.slots.forEach((_, t) => {
      const guard = b.addVariable(`guard[${k}][${t}]`, 0, (battery.maxDischargeW + battery.maxChargeW) / 1000, 0);
      guardKw[k].push(guard);
      // The battery's power in the scenario stays within its rating: discharge - charge + guard <= max discharge.
      b.addConstraint(
        `guardPower[${k}][${t}]`,
        [
          [plan.dischargeKw[t], 1],
          [plan.chargeKw[t], -1],
          [guard, 1],
        ],
        -Infinity,
        battery.maxDischargeW / 1000,
      );
      // guardEnergy[t] = guardEnergy[t-1] + ηc·h·charge - h/ηd·(discharge + guard), within the SoC limits.
      const energy = b.addVariable(
        `guardEnergy[${k}][${t}]`,
        (battery.minSocPct / 100) * capacityKwh,
        (battery.maxSocPct / 100) * capacityKwh,
        0,
      );
      const terms: Array<[number, number]> = [
        [energy, 1],
        [plan.chargeKw[t], -battery.chargeEfficiency * hours],
        [plan.dischargeKw[t], hours / battery.dischargeEfficiency],
        [guard, hours / battery.dischargeEfficiency],
      ];
      if (previous !== undefined) terms.push([previous, -1]);
      const rhs = previous === undefined ? initialKwh : 0;
      b.addConstraint(`guardSoc[${k}][${t}]`, terms, rhs, rhs);
      previous = energy;
    });
  });
  const penaltyEurPerKWh = input.importLimitPenaltyEurPerKWh * GUARD_PENALTY_SHARE;
  index.guardExcessKw = input.slots.map((_, t) => {
    const excess = b.addVariable(`guardExcess[${t}]`, 0, Infinity, penaltyEurPerKWh * hours);
    // import + extra - Σ guard - excess <= limit
    b.addConstraint(
      `guardLimit[${t}]`,
      [[index.importKw[t], 1], ...guardKw.map((g): [number, number] => [g[t], -1]), [excess, -1]],
      -Infinity,
      (slotImportLimitW(input, t) - Math.max(extraImportW[t], 0)) / 1000,
    );
    return excess;
  });
}
