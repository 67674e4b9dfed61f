import { PlanBattery, PlanInput, PLAN_DEFAULTS } from '../plan-input';

export function battery(overrides: Partial<PlanBattery> = {}): PlanBattery {
  return {
    id: 'bat-1',
    capacityWh: 200_000,
    maxChargeW: 100_000,
    maxDischargeW: 100_000,
    minSocPct: 10,
    maxSocPct: 95,
    chargeEfficiency: 0.95,
    dischargeEfficiency: 0.95,
    socPct: 50,
    ...overrides,
  };
}

/** A planning snapshot built from per-slot arrays; prices default to HP all day. */
export function planInput(
  options: { consumptionW: number[]; pvW?: number[]; importEurPerKWh?: number[]; exportEurPerKWh?: number } & Partial<
    Omit<PlanInput, 'slots' | 'pvs'>
  >,
): PlanInput {
  const now = options.now ?? new Date('2026-01-15T00:00:00Z');
  const slotMinutes = options.slotMinutes ?? PLAN_DEFAULTS.slotMinutes;
  const count = options.consumptionW.length;
  return {
    siteId: 'test',
    now,
    slotMinutes,
    slots: options.consumptionW.map((consumptionW, t) => ({
      start: new Date(now.getTime() + t * slotMinutes * 60_000),
      consumptionW,
      importEurPerKWh: options.importEurPerKWh?.[t] ?? 0.27,
      exportEurPerKWh: options.exportEurPerKWh ?? 0.1,
    })),
    batteries: options.batteries ?? [battery()],
    pvs: options.pvW ? [{ id: 'pv-1', forecastW: options.pvW.slice(0, count) }] : [],
    connection: options.connection ?? { importLimitW: 250_000, exportLimitW: 120_000 },
    cyclingCostEurPerKWh: options.cyclingCostEurPerKWh ?? PLAN_DEFAULTS.cyclingCostEurPerKWh,
    importLimitPenaltyEurPerKWh: options.importLimitPenaltyEurPerKWh ?? PLAN_DEFAULTS.importLimitPenaltyEurPerKWh,
    ...(options.contractGuard ? { contractGuard: options.contractGuard } : {}),
  };
}
