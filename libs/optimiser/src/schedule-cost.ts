import { exportW, importW } from '@ilot/domain';
import { PLAN_DEFAULTS, PlanInput, slotImportLimitW } from './plan-input';
import { Schedule } from './schedule';
import { storedEnergySegments, storedEnergyValueEur } from './stored-energy-value';

/**
 * What a schedule costs under the planner's own accounting (MODEL.md), whoever made it: energy
 * bought minus energy sold, battery wear, import above the contracted power at its penalty, minus
 * the value of the energy left stored at the end (stored-energy-value.ts). It makes plans of the LP, of the rule and of an
 * idle battery comparable; for an LP plan it equals the objective up to the tie-break.
 */
export function scheduleCostEur(input: PlanInput, schedule: Schedule): number {
  const hours = input.slotMinutes / 60;
  let costEur = 0;
  schedule.slots.forEach((slot, t) => {
    const price = input.slots[t];
    const importKWh = (importW(slot.gridW) * hours) / 1000;
    const exportKWh = (exportW(slot.gridW) * hours) / 1000;
    const excessKWh = (Math.max(slot.gridW - slotImportLimitW(input, t), 0) * hours) / 1000;
    costEur +=
      importKWh * price.importEurPerKWh -
      exportKWh * price.exportEurPerKWh +
      excessKWh * input.importLimitPenaltyEurPerKWh;
    for (const battery of input.batteries)
      costEur += (Math.abs(slot.devices[battery.id]?.setpointW ?? 0) * hours * input.cyclingCostEurPerKWh) / 1000;
    for (const load of input.flexibleLoads ?? [])
      costEur += ((slot.devices[load.id]?.setpointW ?? 0) * hours * PLAN_DEFAULTS.sheddingCostEurPerKWh) / 1000;
    for (const window of input.effacements ?? [])
      if (price.start >= window.start && price.start < window.end)
        costEur += (Math.max(slot.gridW - window.importCapW, 0) * hours * window.penaltyEurPerKWh) / 1000;
  });
  for (const violation of schedule.violations)
    if (violation.constraint === 'evEnergy') {
      const ev = input.evs?.find((e) => e.id === violation.id);
      costEur += (violation.amountWh / 1000) * (ev?.shortfallEurPerKWh ?? PLAN_DEFAULTS.evShortfallPenaltyEurPerKWh);
    }
  if (input.peak) {
    const peakW = Math.max(input.peak.peakSoFarW, ...schedule.slots.map((s) => s.gridW));
    costEur += ((peakW - input.peak.peakSoFarW) / 1000) * input.peak.eurPerKW;
  }
  const last = schedule.slots.at(-1);
  for (const battery of input.batteries) {
    const finalSocPct = last?.devices[battery.id]?.socPct ?? battery.socPct;
    const aboveFloorKWh = (((finalSocPct - battery.minSocPct) / 100) * battery.capacityWh) / 1000;
    costEur -= storedEnergyValueEur(storedEnergySegments(input, battery), aboveFloorKWh);
  }
  return costEur;
}
