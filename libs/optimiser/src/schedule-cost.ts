import { exportW, importW } from '@ilot/domain';
import { PlanInput } from './plan-input';
import { Schedule } from './schedule';

/**
 * What a schedule costs under the planner's own accounting (MODEL.md), whoever made it: energy
 * bought minus energy sold, battery wear, import above the contracted power at its penalty, minus
 * the value of the energy left stored at the end. It makes plans of the LP, of the rule and of an
 * idle battery comparable; for an LP plan it equals the objective up to the tie-break.
 */
export function scheduleCostEur(input: PlanInput, schedule: Schedule): number {
  const hours = input.slotMinutes / 60;
  const minImportPrice = Math.min(...input.slots.map((s) => s.importEurPerKWh));
  let costEur = 0;
  schedule.slots.forEach((slot, t) => {
    const price = input.slots[t];
    const importKWh = (importW(slot.gridW) * hours) / 1000;
    const exportKWh = (exportW(slot.gridW) * hours) / 1000;
    const excessKWh = (Math.max(slot.gridW - input.connection.importLimitW, 0) * hours) / 1000;
    costEur += importKWh * price.importEurPerKWh - exportKWh * price.exportEurPerKWh + excessKWh * input.importLimitPenaltyEurPerKWh;
    for (const battery of input.batteries) costEur += (Math.abs(slot.devices[battery.id]?.setpointW ?? 0) * hours * input.cyclingCostEurPerKWh) / 1000;
  });
  const last = schedule.slots.at(-1);
  for (const battery of input.batteries) {
    const finalSocPct = last?.devices[battery.id]?.socPct ?? battery.socPct;
    costEur -= ((finalSocPct / 100) * battery.capacityWh * minImportPrice * battery.dischargeEfficiency) / 1000;
  }
  return costEur;
}
