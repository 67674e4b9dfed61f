import { applyBatteryPower } from '@ilot/domain';
import { effacementsOf } from './decode-schedule';
import { PlanInput } from './plan-input';
import { Schedule } from './schedule';

/**
 * The safe rule-based plan: every battery does local self-consumption (covers the deficit, stores
 * the surplus, never charges from the grid), PV is curtailed only above the export limit.
 * Used when the LP cannot give a plan; it is what controllers do on their own anyway.
 */
export function fallbackSchedule(input: PlanInput, reason: string): Schedule {
  const hours = input.slotMinutes / 60;
  const soc = input.batteries.map((b) => b.socPct);
  const evNeededWh = (input.evs ?? []).map((ev) => ev.energyNeededWh);
  let objectiveEur = 0;
  const slots = input.slots.map((slot, t) => {
    const pvW = input.pvs.reduce((sum, pv) => sum + pv.forecastW[t], 0);
    const devices: Schedule['slots'][number]['devices'] = {};
    // EVs charge at full power from now until they have what they need (what a plain charger does); loads are not shed.
    let evW = 0;
    (input.evs ?? []).forEach((ev, e) => {
      const plugged = slot.start < ev.departure && (!ev.availableFrom || slot.start >= ev.availableFrom);
      const chargeW = plugged ? Math.min(ev.maxW, evNeededWh[e] / hours) : 0;
      evNeededWh[e] -= chargeW * hours;
      evW += chargeW;
      devices[ev.id] = { setpointW: Math.round(chargeW * 10) / 10 };
    });
    for (const load of input.flexibleLoads ?? []) devices[load.id] = { setpointW: 0, recoveryW: 0 };
    let netW = slot.consumptionW + evW - pvW;
    input.batteries.forEach((battery, k) => {
      const { powerW, socPct } = applyBatteryPower(battery, soc[k], netW, hours);
      soc[k] = socPct;
      netW -= powerW;
      devices[battery.id] = { setpointW: Math.round(powerW * 10) / 10, socPct: Math.round(socPct * 100) / 100 };
    });
    const curtailW = Math.max(-netW - input.connection.exportLimitW, 0);
    input.pvs.forEach((pv) => {
      devices[pv.id] = { setpointW: pvW > 0 ? Math.round((curtailW * pv.forecastW[t]) / pvW) : 0 };
    });
    const gridW = netW + curtailW;
    objectiveEur += (gridW > 0 ? gridW * slot.importEurPerKWh : gridW * slot.exportEurPerKWh) * (hours / 1000);
    return {
      start: slot.start.toISOString(),
      gridW: Math.round(gridW * 10) / 10,
      consumptionW: slot.consumptionW,
      pvW,
      devices,
    };
  });
  const violations = evShortfalls(input, evNeededWh);
  return {
    siteId: input.siteId,
    generatedAt: input.now.toISOString(),
    status: 'fallback',
    solver: 'self-consumption-rule',
    objectiveEur: Math.round(objectiveEur * 10_000) / 10_000,
    slotMinutes: input.slotMinutes,
    ...effacementsOf(input),
    reason,
    violations,
    slots,
  };
}

/** The EVs that would leave short of energy, Wh. */
function evShortfalls(input: PlanInput, evNeededWh: readonly number[]): Schedule['violations'] {
  return (input.evs ?? []).flatMap((ev, e) =>
    evNeededWh[e] > 1
      ? [
          {
            constraint: 'evEnergy' as const,
            id: ev.id,
            slotStart: ev.departure.toISOString(),
            amountWh: Math.round(evNeededWh[e]),
          },
        ]
      : [],
  );
}
