/**
 * Power signs, from the îlot's point of view (docs/design.md, "Units and signs"). Written once, here.
 *
 * - `grid`: > 0 import from the public grid, < 0 export to it.
 * - `meter`, `heat_pump`, `ev_charger`, `flexible_load`: >= 0 consumption.
 * - `pv`: >= 0 production.
 * - `battery`: > 0 discharging (the battery supplies the îlot), < 0 charging.
 *
 * So, at every instant: gridW = sum(consumptionW) - sum(pvW) - sum(batteryW).
 */

/** Grid power implied by the sign convention: what the one connection meter must read. */
export function gridPowerW(consumptionW: number, pvW: number, batteryW: number): number {
  return consumptionW - pvW - batteryW;
}

export function importW(gridW: number): number {
  return Math.max(gridW, 0);
}

export function exportW(gridW: number): number {
  return Math.max(-gridW, 0);
}
