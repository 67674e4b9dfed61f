import { applyBatteryPower, type BatteryParameters } from '@ilot/domain';
import { batteryPowerAskedW } from '@ilot/protocol';

/** Tolerance of the check: 5 % of the battery's larger power rating, at least 500 W. */
export function verificationToleranceW(battery: Pick<BatteryParameters, 'maxChargeW' | 'maxDischargeW'>): number {
  return Math.max(500, 0.05 * Math.max(battery.maxChargeW, battery.maxDischargeW));
}

/**
 * Did a battery follow its `battery.setpoint` command? From one consistent pair of readings (battery
 * and grid at the same instant): the power the command asks at that instant (its setpoint, corrected
 * by the battery's share of the deviation from the planned grid power when it carries `gridTargetW`),
 * limited by the battery's ratings and its state of charge, against the power measured. Pure.
 */
export function batteryFollowsCommand(
  command: { setpointW: number; gridTargetW?: number; deviationShare?: number; gridLimitW?: number },
  measured: { batteryW: number; gridW: number; socPct: number },
  battery: BatteryParameters,
): { followed: boolean; expectedW: number; measuredW: number; toleranceW: number } {
  const gridWithoutBatteryW = measured.gridW + measured.batteryW;
  const askedW = batteryPowerAskedW(command, gridWithoutBatteryW);
  // What the battery can do at that SoC (a short step: only the limits, not the energy, bind).
  const expectedW = applyBatteryPower(battery, measured.socPct, askedW, 1 / 360).powerW;
  const toleranceW = verificationToleranceW(battery);
  return {
    followed: Math.abs(measured.batteryW - expectedW) <= toleranceW,
    expectedW,
    measuredW: measured.batteryW,
    toleranceW,
  };
}

/** Did a load keep under its `load.limit`? Its measured power against the cap, with 5 % of its rating (at least 100 W) of tolerance. Pure. */
export function loadFollowsLimit(
  maxW: number,
  measuredW: number,
  ratedW: number,
): { followed: boolean; expectedW: number; measuredW: number; toleranceW: number } {
  const toleranceW = Math.max(100, 0.05 * ratedW);
  return { followed: measuredW <= maxW + toleranceW, expectedW: maxW, measuredW, toleranceW };
}
