import { evCanCharge } from '../build-model';
import { PlanInput } from '../plan-input';
import { Schedule } from '../schedule';

/**
 * Checks every physical invariant of a schedule against its input; returns the broken ones
 * (an empty list means the plan is physically sound). Tolerances: 1 W, 0.02 % SoC.
 */
export function scheduleInvariantViolations(input: PlanInput, schedule: Schedule): string[] {
  const problems: string[] = [];
  const hours = input.slotMinutes / 60;
  if (schedule.slots.length !== input.slots.length)
    problems.push(`slot count ${schedule.slots.length} != ${input.slots.length}`);
  const soc = input.batteries.map((b) => b.socPct);
  // What each load owes from before the plan (its controller's count) is owed from its first slot on.
  const debtWh = (input.flexibleLoads ?? []).map((load) => Math.max(load.owedWh ?? 0, 0));
  const evWh = (input.evs ?? []).map(() => 0);
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
      if (plan.setpointW > battery.maxDischargeW + 1)
        problems.push(`slot ${t}: ${battery.id} discharges ${plan.setpointW} W > max`);
      if (-plan.setpointW > battery.maxChargeW + 1)
        problems.push(`slot ${t}: ${battery.id} charges ${-plan.setpointW} W > max`);
      const energyWh = (soc[k] / 100) * battery.capacityWh;
      const expectedWh =
        plan.setpointW >= 0
          ? energyWh - (plan.setpointW * hours) / battery.dischargeEfficiency
          : energyWh - plan.setpointW * hours * battery.chargeEfficiency;
      const expectedSoc = (expectedWh / battery.capacityWh) * 100;
      if (Math.abs(expectedSoc - plan.socPct) > 0.02)
        problems.push(`slot ${t}: ${battery.id} SoC ${plan.socPct} % != dynamics ${expectedSoc.toFixed(3)} %`);
      if (plan.socPct < battery.minSocPct - 0.01 || plan.socPct > battery.maxSocPct + 0.01)
        problems.push(`slot ${t}: ${battery.id} SoC ${plan.socPct} % out of bounds`);
      soc[k] = plan.socPct;
    }
    for (const pv of input.pvs) {
      const curtailed = slot.devices[pv.id]?.setpointW ?? 0;
      if (curtailed < -1 || curtailed > pv.forecastW[t] + 1)
        problems.push(`slot ${t}: ${pv.id} curtails ${curtailed} W of ${pv.forecastW[t]} W`);
      curtailW += curtailed;
    }
    let flexibleW = 0;
    for (const [l, load] of (input.flexibleLoads ?? []).entries()) {
      const plan = slot.devices[load.id];
      const shedW = plan?.setpointW ?? 0;
      const recoveryW = plan?.recoveryW ?? 0;
      if (shedW < -1 || shedW > Math.min(load.maxShedW, load.baselineW[t]) + 1)
        problems.push(`slot ${t}: ${load.id} sheds ${shedW} W`);
      if (recoveryW < -1 || load.baselineW[t] + recoveryW > load.ratedW + 1)
        problems.push(`slot ${t}: ${load.id} recovers ${recoveryW} W above its rating`);
      debtWh[l] += (load.recoveryRatio * shedW - recoveryW) * hours;
      if (debtWh[l] > Math.max((load.maxShedW * load.maxShedMinutes) / 60, load.owedWh ?? 0) + 1)
        problems.push(`slot ${t}: ${load.id} owes ${debtWh[l].toFixed(0)} Wh, above its comfort limit`);
      flexibleW += recoveryW - shedW;
    }
    let evW = 0;
    for (const [e, ev] of (input.evs ?? []).entries()) {
      const chargeW = slot.devices[ev.id]?.setpointW ?? 0;
      if (chargeW < -1 || chargeW > ev.maxW + 1) problems.push(`slot ${t}: ${ev.id} charges ${chargeW} W`);
      if (chargeW > 1 && !evCanCharge(ev, input.slots[t].start, input.slotMinutes))
        problems.push(`slot ${t}: ${ev.id} charges while not plugged`);
      evWh[e] += chargeW * hours;
      evW += chargeW;
    }
    const pvW = input.pvs.reduce((sum, pv) => sum + pv.forecastW[t], 0);
    const balanceW = input.slots[t].consumptionW + flexibleW + evW - (pvW - curtailW) - batteryW;
    if (Math.abs(balanceW - slot.gridW) > 2)
      problems.push(`slot ${t}: grid ${slot.gridW} W != balance ${balanceW.toFixed(1)} W`);
    if (-slot.gridW > input.connection.exportLimitW + 1)
      problems.push(`slot ${t}: export ${-slot.gridW} W above the limit`);
    const reported = (constraint: string) =>
      schedule.violations.reduce(
        (sum, v) => sum + (v.constraint === constraint && v.slotStart === slot.start && 'amountW' in v ? v.amountW : 0),
        0,
      );
    if (slot.gridW > input.connection.importLimitW + reported('importLimit') + 1)
      problems.push(`slot ${t}: import ${slot.gridW} W above the limit and not reported`);
    for (const window of input.effacements ?? [])
      if (
        input.slots[t].start >= window.start &&
        input.slots[t].start < window.end &&
        slot.gridW > window.importCapW + reported('effacement') + 1
      )
        problems.push(
          `slot ${t}: import ${slot.gridW} W above the ${window.id} cap ${window.importCapW} W and not reported`,
        );
  });
  // A debt may outlast the horizon only where the load recovered all it could in every slot (issue 27: it owed more
  // than the horizon can give back).
  for (const [l, load] of (input.flexibleLoads ?? []).entries()) {
    const heldBack = schedule.slots.some(
      (slot, t) => (slot.devices[load.id]?.recoveryW ?? 0) < Math.max(load.ratedW - load.baselineW[t], 0) - 1,
    );
    if (debtWh[l] > 1 && heldBack) problems.push(`${load.id}: ${debtWh[l].toFixed(0)} Wh shed never recovered`);
  }
  for (const [e, ev] of (input.evs ?? []).entries()) {
    const lackingWh = schedule.violations.reduce(
      (sum, v) => sum + (v.constraint === 'evEnergy' && v.id === ev.id ? v.amountWh : 0),
      0,
    );
    if (evWh[e] + lackingWh < ev.energyNeededWh - 1)
      problems.push(
        `${ev.id}: ${evWh[e].toFixed(0)} Wh by departure, ${ev.energyNeededWh} Wh needed, shortfall not reported`,
      );
  }
  return problems;
}
