import type { TariffSpec } from '@ilot/site';
import { priceAt, type TempoColour } from '@ilot/tariffs';
import { localDateTime, localDayStart } from '@ilot/domain';
import { PLAN_DEFAULTS, PlanBattery, PlanEffacement, PlanEv, PlanFlexibleLoad, PlanInput } from '../plan-input';
import type { Schedule } from '../schedule';
import { battery } from './plan-input.factory';

/** Power or price steps over local wall-clock hours: [fromHour, toHour, value], later steps win. */
type Steps = Array<[number, number, number]>;

/**
 * A golden scenario file (`libs/optimiser/golden/*.json`): one local day of the îlot, in words a
 * reviewer can check, and what its plan must show beyond the invariants every plan keeps.
 */
export interface GoldenScenario {
  name: string;
  /** What the scenario is about and why the expectations hold. */
  why: string;
  /** The local day planned (Europe/Paris), midnight to midnight: 92, 96 or 100 quarter-hours. */
  localDay: string;
  /** Non-controllable consumption, W. */
  consumptionW: Steps;
  /** PV: a sine bell between two local hours, peaking at peakW. */
  pv?: { peakW: number; fromHour: number; toHour: number };
  /** A site-file tariff (HP/HC or Tempo with the day's colour), or explicit price steps. */
  tariff?: TariffSpec & { tempoColour?: TempoColour };
  prices?: { importEurPerKWh: Steps; exportEurPerKWh: Steps };
  batteries?: Array<Partial<PlanBattery>>;
  connection?: { importLimitW: number; exportLimitW: number };
  flexibleLoads?: Array<Omit<PlanFlexibleLoad, 'baselineW'> & { baselineW: Steps }>;
  evs?: Array<Omit<PlanEv, 'departure'> & { departureHour: number }>;
  effacements?: Array<Omit<PlanEffacement, 'start' | 'end'> & { fromHour: number; toHour: number }>;
  peak?: { eurPerKW: number; peakSoFarW: number };
  expect: {
    status: Schedule['status'];
    slots: number;
    /** The kinds of soft constraints the plan reports as not kept (exactly these). */
    violations: string[];
    gridAtMostW?: Array<{ fromHour: number; toHour: number; W: number }>;
    gridAtLeastW?: Array<{ fromHour: number; toHour: number; W: number }>;
    socPct?: Array<{ device: string; afterHour: number; atLeast?: number; atMost?: number }>;
    /** Energy a device's setpoint adds up to over local hours (battery > 0 discharge; pv curtailed; load shed; EV charged), Wh. */
    energyWh?: Array<{ device: string; fromHour: number; toHour: number; atLeast?: number; atMost?: number }>;
  };
}

const ZONE = 'Europe/Paris';

function stepAt(steps: Steps, hour: number): number {
  let value = 0;
  for (const [from, to, v] of steps) if (hour >= from && hour < to) value = v;
  return value;
}

/** Local wall-clock hour of an instant (e.g. 17.25 for 17:15). */
export function localHour(at: Date): number {
  return localDateTime(at, ZONE).minuteOfDay / 60;
}

/** The planning snapshot of a golden scenario. */
export function goldenPlanInput(scenario: GoldenScenario): PlanInput {
  const start = localDayStart(scenario.localDay, ZONE);
  const nextDay = new Date(Date.parse(`${scenario.localDay}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  const end = localDayStart(nextDay, ZONE);
  const slotStarts: Date[] = [];
  for (let t = start.getTime(); t < end.getTime(); t += 15 * 60_000) slotStarts.push(new Date(t));
  const hours = slotStarts.map(localHour);
  const pvW = hours.map((h) => {
    const pv = scenario.pv;
    return pv && h > pv.fromHour && h < pv.toHour
      ? pv.peakW * Math.sin((Math.PI * (h - pv.fromHour)) / (pv.toHour - pv.fromHour))
      : 0;
  });
  const price = (at: Date, t: number) => {
    if (scenario.prices)
      return {
        importEurPerKWh: stepAt(scenario.prices.importEurPerKWh, hours[t]),
        exportEurPerKWh: stepAt(scenario.prices.exportEurPerKWh, hours[t]),
      };
    const { tempoColour, ...tariff } = scenario.tariff!;
    return priceAt(at, tariff as TariffSpec, ZONE, () => tempoColour);
  };
  const flexibleLoads = (scenario.flexibleLoads ?? []).map((load) => ({
    ...load,
    baselineW: hours.map((h) => stepAt(load.baselineW, h)),
  }));
  // The first slot at or after a local hour (on 2026-10-25 the first of the two 02:00s).
  const at = (hour: number) => slotStarts.find((_, t) => hours[t] >= hour) ?? end;
  return {
    siteId: scenario.name,
    now: start,
    slotMinutes: 15,
    slots: slotStarts.map((s, t) => ({
      start: s,
      // The loads' baselines are part of the îlot's consumption.
      consumptionW: stepAt(scenario.consumptionW, hours[t]) + flexibleLoads.reduce((sum, l) => sum + l.baselineW[t], 0),
      ...price(s, t),
    })),
    batteries: (scenario.batteries ?? [{}]).map((b) => battery(b)),
    pvs: scenario.pv ? [{ id: 'pv-1', forecastW: pvW }] : [],
    connection: scenario.connection ?? { importLimitW: 160_000, exportLimitW: 100_000 },
    cyclingCostEurPerKWh: PLAN_DEFAULTS.cyclingCostEurPerKWh,
    importLimitPenaltyEurPerKWh: PLAN_DEFAULTS.importLimitPenaltyEurPerKWh,
    flexibleLoads,
    evs: (scenario.evs ?? []).map(({ departureHour, ...ev }) => ({ ...ev, departure: at(departureHour) })),
    effacements: (scenario.effacements ?? []).map(({ fromHour, toHour, ...window }) => ({
      ...window,
      start: at(fromHour),
      end: at(toHour),
    })),
    peak: scenario.peak,
  };
}

/** The scenario's own expectations, beyond the invariants; returns what does not hold. */
export function goldenExpectationFailures(scenario: GoldenScenario, input: PlanInput, schedule: Schedule): string[] {
  const failures: string[] = [];
  const e = scenario.expect;
  const hours = input.slots.map((s) => localHour(s.start));
  if (schedule.status !== e.status) failures.push(`status ${schedule.status}, expected ${e.status}`);
  if (schedule.slots.length !== e.slots) failures.push(`${schedule.slots.length} slots, expected ${e.slots}`);
  const kinds = [...new Set(schedule.violations.map((v) => v.constraint))].sort();
  if (JSON.stringify(kinds) !== JSON.stringify([...e.violations].sort()))
    failures.push(`violations ${JSON.stringify(kinds)}, expected ${JSON.stringify(e.violations)}`);
  const within = (t: number, from: number, to: number) => hours[t] >= from && hours[t] < to;
  for (const bound of e.gridAtMostW ?? [])
    schedule.slots.forEach((slot, t) => {
      if (within(t, bound.fromHour, bound.toHour) && slot.gridW > bound.W + 1)
        failures.push(`${slot.start}: grid ${slot.gridW} W > ${bound.W} W`);
    });
  for (const bound of e.gridAtLeastW ?? [])
    schedule.slots.forEach((slot, t) => {
      if (within(t, bound.fromHour, bound.toHour) && slot.gridW < bound.W - 1)
        failures.push(`${slot.start}: grid ${slot.gridW} W < ${bound.W} W`);
    });
  for (const check of e.socPct ?? []) {
    const t = hours.findIndex((h) => h >= check.afterHour) - 1;
    const soc = schedule.slots[t < 0 ? hours.length - 1 : t]?.devices[check.device]?.socPct ?? NaN;
    if (check.atLeast !== undefined && !(soc >= check.atLeast))
      failures.push(`${check.device} SoC ${soc} % at ${check.afterHour}h < ${check.atLeast} %`);
    if (check.atMost !== undefined && !(soc <= check.atMost))
      failures.push(`${check.device} SoC ${soc} % at ${check.afterHour}h > ${check.atMost} %`);
  }
  for (const check of e.energyWh ?? []) {
    const wh = schedule.slots.reduce(
      (sum, slot, t) =>
        sum + (within(t, check.fromHour, check.toHour) ? (slot.devices[check.device]?.setpointW ?? 0) / 4 : 0),
      0,
    );
    if (check.atLeast !== undefined && wh < check.atLeast)
      failures.push(`${check.device} ${wh.toFixed(0)} Wh over ${check.fromHour}-${check.toHour}h < ${check.atLeast}`);
    if (check.atMost !== undefined && wh > check.atMost)
      failures.push(`${check.device} ${wh.toFixed(0)} Wh over ${check.fromHour}-${check.toHour}h > ${check.atMost}`);
  }
  return failures;
}
