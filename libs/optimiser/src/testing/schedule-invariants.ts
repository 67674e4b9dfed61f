import { PlanInput } from '../plan-input';
import { Schedule } from '../schedule';

/**
 * Checks every physical invariant of a schedule against its input; returns the broken ones
 * (an empty list means the plan is physically sound). Tolerances: 1 W, 0.02 % SoC.
 */
export function scheduleInvariantViolations(input: PlanInput, schedule: Schedule): string[] {
  const problems: string[] = [];
  const hours = input.slotMinutes / 60;
  if (schedule.slots.length !== input.slots.length) problems.push(`slot count ${schedule.slots.length} != ${input.slots.length}`);
  const soc = input.batteries.map((b) => b.socPct);
  schedule.slots.forEach((slot, t) => {
    let batteryW = 0;
    let curtailW = 0;
    for (const [k, battery] of input.batteries.entries()) {
      const plan = slot.devices[battery.id];
      if (!plan || plan.socPct === undefined) {
        problems.push(`slot ${t}: no plan for battery ${battery.id}`);
        continue;
      }
      batteryW += plan.setpointW;
      if (plan.setpointW > battery.maxDischargeW + 1) problems.push(`slot ${t}: ${battery.id} discharges ${plan.setpointW} W > max`);
      if (-plan.setpointW > battery.maxChargeW + 1) problems.push(`slot ${t}: ${battery.id} charges ${-plan.setpointW} W > max`);
      const energyWh = (soc[k] / 100) * battery.capacityWh;
      const expectedWh =
        plan.setpointW >= 0 ? energyWh - (plan.setpointW * hours) / battery.dischargeEfficiency : energyWh - plan.setpointW * hours * battery.chargeEfficiency;
      const expectedSoc = (expectedWh / battery.capacityWh) * 100;
      if (Math.abs(expectedSoc - plan.socPct) > 0.02) problems.push(`slot ${t}: ${battery.id} SoC ${plan.socPct} % != dynamics ${expectedSoc.toFixed(3)} %`);
      if (plan.socPct < battery.minSocPct - 0.01 || plan.socPct > battery.maxSocPct + 0.01)
        problems.push(`slot ${t}: ${battery.id} SoC ${plan.socPct} % out of bounds`);
      soc[k] = plan.socPct;
    }
    for (const pv of input.pvs) {
      const curtailed = slot.devices[pv.id]?.setpointW ?? 0;
      if (curtailed < -1 || curtailed > pv.forecastW[t] + 1) problems.push(`slot ${t}: ${pv.id} curtails ${curtailed} W of ${pv.forecastW[t]} W`);
      curtailW += curtailed;
    }
    const pvW = input.pvs.reduce((sum, pv) => sum + pv.forecastW[t], 0);
    const balanceW = input.slots[t].consumptionW - (pvW - curtailW) - batteryW;
    if (Math.abs(balanceW - slot.gridW) > 1) problems.push(`slot ${t}: grid ${slot.gridW} W != balance ${balanceW.toFixed(1)} W`);
    if (-slot.gridW > input.connection.exportLimitW + 1) problems.push(`slot ${t}: export ${-slot.gridW} W above the limit`);
    const excess = schedule.violations.find((v) => v.slotStart === slot.start)?.amountW ?? 0;
    if (slot.gridW > input.connection.importLimitW + excess + 1) problems.push(`slot ${t}: import ${slot.gridW} W above the limit and not reported`);
  });
  return problems;
}
