/** The parameters of a battery that its physics needs (a subset of the site file's battery). */
export interface BatteryParameters {
  capacityWh: number;
  maxChargeW: number;
  maxDischargeW: number;
  minSocPct: number;
  maxSocPct: number;
  chargeEfficiency: number;
  dischargeEfficiency: number;
}

/**
 * The power a battery can actually deliver for `durationH` hours when asked for `requestedW`
 * (sign convention: > 0 discharge, < 0 charge), limited by its power ratings and by the energy
 * left between its SoC bounds, and the SoC after that time.
 */
export function applyBatteryPower(
  battery: BatteryParameters,
  socPct: number,
  requestedW: number,
  durationH: number,
): { powerW: number; socPct: number } {
  if (durationH <= 0) return { powerW: 0, socPct };
  const storedWh = (socPct / 100) * battery.capacityWh;
  if (requestedW >= 0) {
    const availableWh = Math.max(storedWh - (battery.minSocPct / 100) * battery.capacityWh, 0);
    const powerW = Math.min(requestedW, battery.maxDischargeW, (availableWh * battery.dischargeEfficiency) / durationH);
    return {
      powerW,
      socPct: ((storedWh - (powerW * durationH) / battery.dischargeEfficiency) / battery.capacityWh) * 100,
    };
  }
  const roomWh = Math.max((battery.maxSocPct / 100) * battery.capacityWh - storedWh, 0);
  const chargeW = Math.min(-requestedW, battery.maxChargeW, roomWh / battery.chargeEfficiency / durationH);
  return {
    powerW: -chargeW,
    socPct: ((storedWh + chargeW * durationH * battery.chargeEfficiency) / battery.capacityWh) * 100,
  };
}
