/** Energies over a period, Wh, in the sign convention of sign-convention.ts. */
export interface EnergyTotals {
  importWh: number;
  exportWh: number;
  pvWh: number;
  consumptionWh: number;
}

/**
 * Self-consumption: share of the PV production used inside the îlot, (pv - export) / pv.
 * Self-sufficiency: share of the consumption not imported, 1 - import / consumption.
 * Undefined where the denominator is zero (no PV at night, no consumption).
 */
export function energyRatios(totals: EnergyTotals): { selfConsumptionRatio?: number; selfSufficiencyRatio?: number } {
  const clamp = (x: number) => Math.min(Math.max(x, 0), 1);
  return {
    selfConsumptionRatio: totals.pvWh > 0 ? clamp((totals.pvWh - totals.exportWh) / totals.pvWh) : undefined,
    selfSufficiencyRatio: totals.consumptionWh > 0 ? clamp(1 - totals.importWh / totals.consumptionWh) : undefined,
  };
}
