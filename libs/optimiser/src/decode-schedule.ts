import { BuiltModel } from './build-model';
import { PlanInput, slotImportLimitW } from './plan-input';
import { Schedule, ScheduleSlot } from './schedule';

const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Turns a solution (kW, kWh inside the LP) back into the plan document (W, %). */
export function decodeSchedule(
  input: PlanInput,
  built: BuiltModel,
  solution: { status: 'optimal' | 'feasible'; solver: string; values: ArrayLike<number>; objective: number },
): Schedule {
  const { index } = built;
  const v = solution.values;
  const violations: Schedule['violations'] = [];
  const slots = input.slots.map((slot, t) => {
    violations.push(...slotViolations(input, built, v, t));
    return {
      start: slot.start.toISOString(),
      gridW: round((v[index.importKw[t]] - v[index.exportKw[t]]) * 1000),
      consumptionW: round(slot.consumptionW),
      pvW: round(input.pvs.reduce((sum, pv) => sum + pv.forecastW[t], 0)),
      ...slotExplanation(input, t),
      devices: slotDevices(input, built, v, t),
    };
  });
  (input.evs ?? []).forEach((ev, e) => {
    const lackingWh = v[index.evs[e].shortfallKwh] * 1000;
    if (lackingWh > 1)
      violations.push({
        constraint: 'evEnergy',
        id: ev.id,
        slotStart: ev.departure.toISOString(),
        amountWh: round(lackingWh),
      });
  });
  return {
    siteId: input.siteId,
    generatedAt: input.now.toISOString(),
    status: solution.status,
    solver: solution.solver,
    objectiveEur: round(solution.objective, 4),
    slotMinutes: input.slotMinutes,
    ...effacementsOf(input),
    ...forecastOf(input),
    violations,
    slots,
  };
}

/** Each controllable device's plan in slot t (W, %), in the signs of the schedule document. */
function slotDevices(
  input: PlanInput,
  { index }: BuiltModel,
  v: ArrayLike<number>,
  t: number,
): Schedule['slots'][number]['devices'] {
  const devices: Schedule['slots'][number]['devices'] = {};
  input.batteries.forEach((battery, k) => {
    const vars = index.batteries[k];
    devices[battery.id] = {
      setpointW: round((v[vars.dischargeKw[t]] - v[vars.chargeKw[t]]) * 1000),
      socPct: round((v[vars.energyKwh[t]] * 1000 * 100) / battery.capacityWh, 2),
    };
  });
  input.pvs.forEach((pv, p) => {
    devices[pv.id] = { setpointW: round(v[index.pvCurtailKw[p][t]] * 1000) };
  });
  (input.flexibleLoads ?? []).forEach((load, l) => {
    const vars = index.flexibleLoads[l];
    devices[load.id] = { setpointW: round(v[vars.shedKw[t]] * 1000), recoveryW: round(v[vars.recoverKw[t]] * 1000) };
  });
  (input.evs ?? []).forEach((ev, e) => {
    const charge = index.evs[e].chargeKw[t];
    devices[ev.id] = { setpointW: charge === undefined ? 0 : round(v[charge] * 1000) };
  });
  return devices;
}

/** The soft constraints slot t does not keep: import above the contracted power, above an effacement cap. */
function slotViolations(
  input: PlanInput,
  { index }: BuiltModel,
  v: ArrayLike<number>,
  t: number,
): Schedule['violations'] {
  const slotStart = input.slots[t].start.toISOString();
  const violations: Schedule['violations'] = [];
  const excessW = v[index.importExcessKw[t]] * 1000;
  if (excessW > 1) violations.push({ constraint: 'importLimit', slotStart, amountW: round(excessW) });
  (input.effacements ?? []).forEach((window, w) => {
    const at = index.effacements[w].slots.indexOf(t);
    // Above the cap, plus what the order asks beyond the reference itself (the cap stops at 0 import).
    const overW = at < 0 ? 0 : v[index.effacements[w].excessKw[at]] * 1000 + (window.unreachableW ?? 0);
    if (overW > 1) violations.push({ constraint: 'effacement', id: window.id, slotStart, amountW: round(overW) });
  });
  return violations;
}

/** The effacement windows a plan honours, as the schedule document lists them (absent when none). */
export function effacementsOf(input: PlanInput): Pick<Schedule, 'effacements'> {
  if (!input.effacements?.length) return {};
  return {
    effacements: input.effacements.map((w) => ({
      id: w.id,
      start: w.start.toISOString(),
      end: w.end.toISOString(),
      importCapW: Math.round(w.importCapW),
    })),
  };
}

/** What a slot's plan stands on, as the schedule document says it: price, tariff period, contract, forecast error. */
export function slotExplanation(
  input: PlanInput,
  t: number,
): Pick<ScheduleSlot, 'importEurPerKWh' | 'period' | 'importLimitW' | 'importAboveForecastP90W'> {
  const slot = input.slots[t];
  const extraW = input.contractGuard?.extraImportW[t];
  return {
    importEurPerKWh: slot.importEurPerKWh,
    ...(slot.period ? { period: slot.period } : {}),
    importLimitW: slotImportLimitW(input, t),
    ...(extraW === undefined ? {} : { importAboveForecastP90W: round(extraW) }),
  };
}

/** What the consumption forecast stood on (absent when the input does not say). */
export function forecastOf(input: PlanInput): Pick<Schedule, 'forecast'> {
  const basis = input.forecastBasis;
  if (!basis) return {};
  return {
    forecast: {
      ...basis,
      ...(basis.coldStart
        ? { note: 'no consumption history yet: the latest reading stands for every slot (a cold-start guess)' }
        : {}),
    },
  };
}
