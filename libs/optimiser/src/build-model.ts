import { LpModel, LpModelBuilder } from './lp-model';
import { addContractGuard } from './contract-guard';
import { PLAN_DEFAULTS, type PlanEv, PlanInput, slotImportLimitW } from './plan-input';
import type { ModelIndex, ModelParts } from './model-parts';
import { mergeScenarios } from './scenario-model';
import { storedEnergySegments } from './stored-energy-value';

export type { ModelIndex, ModelParts } from './model-parts';

/**
 * Tie-break: EUR per kWh added to charging and discharging, growing from 0 to this over the
 * horizon, far below any price difference. Between equal-cost plans it picks the one that stores
 * a surplus as soon as it comes and uses stored energy as soon as it saves money, rather than
 * holding it for a later slot the forecast may get wrong (MODEL.md).
 */
export const TIE_BREAK_EUR_PER_KWH = 1e-4;

/**
 * Fairness among the loads that can shed in a slot: each sheds at most `share[t]` of what it can shed then
 * (min(maxShedW, baseline)), and each unit of share costs this per hour. Far below the shedding cost, it
 * changes how much is shed by nothing worth counting, but among plans that shed the same total it picks the
 * one where every participant gives the same part of its declared flexibility (no one shed far more than others).
 */
export const FAIR_SHARE_EUR_PER_HOUR = 1e-3;

function addFairShedding(b: LpModelBuilder, input: PlanInput, loads: ModelIndex['flexibleLoads'], hours: number): void {
  const flexible = input.flexibleLoads ?? [];
  if (flexible.length < 2) return;
  input.slots.forEach((_, t) => {
    const able = flexible.flatMap((load, l) => {
      const availableKw = Math.min(load.maxShedW, Math.max(load.baselineW[t], 0)) / 1000;
      return availableKw > 0 ? [{ l, availableKw }] : [];
    });
    if (able.length < 2) return;
    const share = b.addVariable(`fairShare[${t}]`, 0, 1, FAIR_SHARE_EUR_PER_HOUR * hours);
    // shed[l][t] - available[l][t]·share[t] <= 0
    for (const { l, availableKw } of able)
      b.addConstraint(
        `fair[${l}][${t}]`,
        [
          [loads[l].shedKw[t], 1],
          [share, -availableKw],
        ],
        -Infinity,
        0,
      );
  });
}

/**
 * Share of an effacement's penalty paid per kWh of its reserve used: above the price of charging a battery ahead
 * (so the reserve gets stored), below the penalty of the order itself (so it is spent before the order is missed).
 */
export const RESERVE_PENALTY_SHARE = 0.5;

export interface BuiltModel {
  model: LpModel;
  index: ModelIndex;
}

/**
 * The îlot battery LP of MODEL.md, built part by part along its headings. Pure: the same input gives the same model.
 * Variables per slot t: import, export, import above the contracted power (penalised), per battery charge, discharge
 * and stored energy at the end of t, per PV the power curtailed; then the optional parts (flexible loads, EVs,
 * effacement windows, a peak charge); last the energy balance and the contracted power of every slot.
 */
export function buildModel(input: PlanInput): BuiltModel {
  const scenarios = input.pvScenarios ?? [];
  if (scenarios.length === 0) return buildOneModel(input);
  // The PV forecast's other outcomes beside the central one (plan-input.ts pvScenarios): one plan for all of them.
  const alone = { ...input, pvScenarios: undefined };
  const centralProbability = 1 - scenarios.reduce((sum, s) => sum + s.probability, 0);
  return mergeScenarios([
    { ...buildOneModel(alone), probability: centralProbability },
    ...scenarios.map((s) => ({
      ...buildOneModel({ ...alone, pvs: alone.pvs.map((pv, p) => ({ ...pv, forecastW: s.forecastW[p] })) }),
      probability: s.probability,
    })),
  ]);
}

/** The model of one forecast. */
function buildOneModel(input: PlanInput): BuiltModel {
  const parts: ModelParts = {
    b: new LpModelBuilder(),
    input,
    hours: input.slotMinutes / 60,
    index: {
      importKw: [],
      exportKw: [],
      importExcessKw: [],
      batteries: [],
      pvCurtailKw: [],
      flexibleLoads: [],
      evs: [],
      effacements: [],
    },
  };
  addConnection(parts);
  addBatteries(parts);
  addPvCurtailment(parts);
  addFlexibleLoads(parts);
  addFairShedding(parts.b, input, parts.index.flexibleLoads, parts.hours);
  addEvs(parts);
  addEffacementWindows(parts);
  addPeakCharge(parts);
  addBalanceAndContract(parts);
  addContractGuard(parts);
  return { model: parts.b.build(), index: parts.index };
}

/** Variables: import, export and import above the contracted power, per slot. */
function addConnection({ b, input, index, hours }: ModelParts): void {
  input.slots.forEach((slot, t) => {
    index.importKw.push(b.addVariable(`import[${t}]`, 0, Infinity, slot.importEurPerKWh * hours));
    // The connection is metered net: a kWh exported never earns more than a kWh not imported (MODEL.md), which keeps
    // import and export from running together even when the import price falls below the feed-in price.
    const exportEurPerKWh =
      slot.exportEurPerKWh < slot.importEurPerKWh ? slot.exportEurPerKWh : slot.importEurPerKWh - TIE_BREAK_EUR_PER_KWH;
    index.exportKw.push(
      b.addVariable(`export[${t}]`, 0, input.connection.exportLimitW / 1000, -exportEurPerKWh * hours),
    );
    index.importExcessKw.push(
      b.addVariable(`importExcess[${t}]`, 0, Infinity, input.importLimitPenaltyEurPerKWh * hours),
    );
  });
}

/** Per battery: charge, discharge, stored energy (with its value at the horizon's end) and the SoC dynamics. */
function addBatteries({ b, input, index, hours }: ModelParts): void {
  const slotCount = input.slots.length;
  input.batteries.forEach((battery, k) => {
    const capacityKwh = battery.capacityWh / 1000;
    const vars = { chargeKw: [] as number[], dischargeKw: [] as number[], energyKwh: [] as number[] };
    for (let t = 0; t < slotCount; t++) {
      const wearEurPerKWh = input.cyclingCostEurPerKWh + (TIE_BREAK_EUR_PER_KWH * t) / slotCount;
      vars.chargeKw.push(b.addVariable(`charge[${k}][${t}]`, 0, battery.maxChargeW / 1000, wearEurPerKWh * hours));
      vars.dischargeKw.push(
        b.addVariable(`discharge[${k}][${t}]`, 0, battery.maxDischargeW / 1000, wearEurPerKWh * hours),
      );
      vars.energyKwh.push(
        b.addVariable(
          `energy[${k}][${t}]`,
          (battery.minSocPct / 100) * capacityKwh,
          (battery.maxSocPct / 100) * capacityKwh,
        ),
      );
    }
    addStoredEnergyValue(b, input, battery, k, vars.energyKwh[slotCount - 1]);
    const initialKwh = (Math.min(Math.max(battery.socPct, battery.minSocPct), battery.maxSocPct) / 100) * capacityKwh;
    for (let t = 0; t < slotCount; t++) {
      // energy[t] - energy[t-1] - ηc·h·charge[t] + h/ηd·discharge[t] = 0 (energy[-1] is the initial SoC)
      const terms: Array<[number, number]> = [
        [vars.energyKwh[t], 1],
        [vars.chargeKw[t], -battery.chargeEfficiency * hours],
        [vars.dischargeKw[t], hours / battery.dischargeEfficiency],
      ];
      if (t > 0) terms.push([vars.energyKwh[t - 1], -1]);
      const rhs = t === 0 ? initialKwh : 0;
      b.addConstraint(`soc[${k}][${t}]`, terms, rhs, rhs);
    }
    index.batteries.push(vars);
  });
}

/**
 * The energy left stored at the end of the horizon is worth what refilling it would cost (stored-energy-value.ts): one
 * variable per value segment, their sum at most the final energy above the floor; the LP fills the dearest first.
 */
function addStoredEnergyValue(
  b: LpModelBuilder,
  input: PlanInput,
  battery: PlanInput['batteries'][number],
  k: number,
  finalEnergyKwh: number,
): void {
  const segments = storedEnergySegments(input, battery);
  if (segments.length === 0) return;
  const parts = segments.map((segment, i) =>
    b.addVariable(`storedValue[${k}][${i}]`, 0, segment.kWh, -segment.eurPerKWh),
  );
  // Σ segment - energy[last] <= -floor
  b.addConstraint(
    `storedValue[${k}]`,
    [...parts.map((v): [number, number] => [v, 1]), [finalEnergyKwh, -1]],
    -Infinity,
    -(battery.minSocPct / 100) * (battery.capacityWh / 1000),
  );
}

/** Per PV array: the power curtailed, up to its forecast. */
function addPvCurtailment({ b, input, index }: ModelParts): void {
  input.pvs.forEach((pv, p) => {
    index.pvCurtailKw.push(
      input.slots.map((_, t) => b.addVariable(`curtail[${p}][${t}]`, 0, Math.max(pv.forecastW[t], 0) / 1000, 0)),
    );
  });
}

/**
 * Per sheddable load: power shed, power recovered and the energy owed, bounded for comfort and paid back by the end
 * (what is left then penalised, or at a closed period's end bought after it).
 */
function addFlexibleLoads({ b, input, index, hours }: ModelParts): void {
  const slotCount = input.slots.length;
  (input.flexibleLoads ?? []).forEach((load, l) => {
    const vars = { shedKw: [] as number[], recoverKw: [] as number[], debtKwh: [] as number[] };
    const owedKwh = Math.max(load.owedWh ?? 0, 0) / 1000;
    // Owing more than its comfort allows already (a plan of the past shed it): never more than that.
    const maxDebtKwh = Math.max(((load.maxShedW / 1000) * load.maxShedMinutes) / 60, owedKwh);
    for (let t = 0; t < slotCount; t++) {
      const baselineKw = Math.max(load.baselineW[t], 0) / 1000;
      vars.shedKw.push(
        b.addVariable(
          `shed[${l}][${t}]`,
          0,
          Math.min(load.maxShedW / 1000, baselineKw),
          PLAN_DEFAULTS.sheddingCostEurPerKWh * hours,
        ),
      );
      vars.recoverKw.push(b.addVariable(`recover[${l}][${t}]`, 0, Math.max(load.ratedW / 1000 - baselineKw, 0), 0));
      // Energy owed (recoveryRatio of what was shed, not yet recovered) at the end of slot t: bounded for comfort, paid
      // back by the end: what is still owed then is penalised (unpaidDebtEurPerKWh), or at a closed period's end
      // (endValue) bought after it at its price.
      const last = t === slotCount - 1;
      const unpaidEurPerKWh = input.endValue ? input.endValue.owedEurPerKWh : PLAN_DEFAULTS.unpaidDebtEurPerKWh;
      vars.debtKwh.push(b.addVariable(`debt[${l}][${t}]`, 0, maxDebtKwh, last ? unpaidEurPerKWh : 0));
    }
    for (let t = 0; t < slotCount; t++) {
      // debt[t] = debt[t-1] + h·recoveryRatio·shed[t] - h·recover[t], debt[-1] what it owes now
      const terms: Array<[number, number]> = [
        [vars.debtKwh[t], 1],
        [vars.shedKw[t], -hours * load.recoveryRatio],
        [vars.recoverKw[t], hours],
      ];
      if (t > 0) terms.push([vars.debtKwh[t - 1], -1]);
      const owed = t === 0 ? owedKwh : 0;
      b.addConstraint(`debt[${l}][${t}]`, terms, owed, owed);
    }
    index.flexibleLoads.push(vars);
  });
}

/**
 * Whether the plan may charge an EV in a slot: the car is plugged the whole slot, from its arrival (or now) until its
 * departure. Regression (issue 13 bench): a slot the car left in the middle of was planned whole, and the car left short.
 */
export function evCanCharge(ev: PlanEv, slotStart: Date, slotMinutes: number): boolean {
  return (
    slotStart.getTime() + slotMinutes * 60_000 <= ev.departure.getTime() &&
    (ev.availableFrom === undefined || slotStart >= ev.availableFrom)
  );
}

/** Per EV: charging power before its departure, and the energy it lacks then (penalised). */
function addEvs({ b, input, index, hours }: ModelParts): void {
  (input.evs ?? []).forEach((ev, e) => {
    const chargeKw = input.slots.map((slot, t) =>
      evCanCharge(ev, slot.start, input.slotMinutes)
        ? b.addVariable(`ev[${e}][${t}]`, 0, ev.maxW / 1000, 0)
        : undefined,
    );
    const shortfallKwh = b.addVariable(
      `evShortfall[${e}]`,
      0,
      Infinity,
      ev.shortfallEurPerKWh ?? PLAN_DEFAULTS.evShortfallPenaltyEurPerKWh,
    );
    // Σ h·charge[t] + shortfall >= energy needed
    const terms: Array<[number, number]> = chargeKw.flatMap((v) =>
      v === undefined ? [] : [[v, hours] as [number, number]],
    );
    b.addConstraint(`evEnergy[${e}]`, [...terms, [shortfallKwh, 1]], ev.energyNeededWh / 1000, Infinity);
    index.evs.push({ chargeKw, shortfallKwh });
  });
}

/** Per effacement window: the import cap less a reserve, the reserve used and the import above the cap (penalised). */
function addEffacementWindows({ b, input, index, hours }: ModelParts): void {
  (input.effacements ?? []).forEach((window, w) => {
    const slots = input.slots.flatMap((slot, t) => (slot.start >= window.start && slot.start < window.end ? [t] : []));
    const reserveKw = (window.reserveW ?? 0) / 1000;
    const excessKw = slots.map((t) => {
      const excess = b.addVariable(`effacementExcess[${w}][${t}]`, 0, Infinity, window.penaltyEurPerKWh * hours);
      // The plan aims `reserve` below the cap (energy kept for a forecast that was too low); using the reserve costs less than missing the cap.
      const reserveUsed =
        reserveKw > 0
          ? b.addVariable(
              `effacementReserve[${w}][${t}]`,
              0,
              reserveKw,
              window.penaltyEurPerKWh * RESERVE_PENALTY_SHARE * hours,
            )
          : undefined;
      // import - reserveUsed - excess <= cap - reserve
      b.addConstraint(
        `effacement[${w}][${t}]`,
        [
          [index.importKw[t], 1],
          [excess, -1],
          ...(reserveUsed === undefined ? [] : [[reserveUsed, -1] as [number, number]]),
        ],
        -Infinity,
        window.importCapW / 1000 - reserveKw,
      );
      return excess;
    });
    index.effacements.push({ slots, excessKw });
  });
}

/** A capacity charge on the horizon's highest import, counted above the month's peak so far. */
function addPeakCharge({ b, input, index }: ModelParts): void {
  if (!input.peak) return;
  const peakKw = b.addVariable('peak', input.peak.peakSoFarW / 1000, Infinity, input.peak.eurPerKW);
  b.addObjectiveOffset(-input.peak.eurPerKW * (input.peak.peakSoFarW / 1000)); // only the increase costs
  input.slots.forEach((_, t) =>
    b.addConstraint(
      `peak[${t}]`,
      [
        [index.importKw[t], 1],
        [peakKw, -1],
      ],
      -Infinity,
      0,
    ),
  );
  index.peakKw = peakKw;
}

/** Every slot's energy balance, and the contracted import power (soft: the excess is penalised). */
function addBalanceAndContract({ b, input, index }: ModelParts): void {
  input.slots.forEach((slot, t) => {
    // Energy balance: import - export + Σ discharge - Σ charge - Σ curtail + Σ shed - Σ recover - Σ ev = consumption - Σ pv
    const pvKw = input.pvs.reduce((sum, pv) => sum + Math.max(pv.forecastW[t], 0), 0) / 1000;
    const terms: Array<[number, number]> = [
      [index.importKw[t], 1],
      [index.exportKw[t], -1],
    ];
    for (const battery of index.batteries) terms.push([battery.dischargeKw[t], 1], [battery.chargeKw[t], -1]);
    for (const curtail of index.pvCurtailKw) terms.push([curtail[t], -1]);
    for (const load of index.flexibleLoads) terms.push([load.shedKw[t], 1], [load.recoverKw[t], -1]);
    for (const ev of index.evs) if (ev.chargeKw[t] !== undefined) terms.push([ev.chargeKw[t]!, -1]);
    const rhs = slot.consumptionW / 1000 - pvKw;
    b.addConstraint(`balance[${t}]`, terms, rhs, rhs);
  });
  // Contracted import power, soft: import - excess <= limit, per slot, or on the mean of each metering interval the
  // slots share (contractIntervalMinutes longer than a slot: the meter counts 15-min means, not each 5 minutes).
  const intervalMs = Math.max(input.contractIntervalMinutes ?? 0, input.slotMinutes) * 60_000;
  const groups = new Map<number, number[]>();
  input.slots.forEach((slot, t) => {
    const key = Math.floor(slot.start.getTime() / intervalMs);
    const group = groups.get(key);
    if (group) group.push(t);
    else groups.set(key, [t]);
  });
  for (const slots of groups.values())
    b.addConstraint(
      `importLimit[${slots[0]}]`,
      slots.flatMap((t): Array<[number, number]> => [
        [index.importKw[t], 1],
        [index.importExcessKw[t], -1],
      ]),
      -Infinity,
      slots.reduce((sum, t) => sum + slotImportLimitW(input, t), 0) / 1000,
    );
}
