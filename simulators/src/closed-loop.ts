import {
  CONSUMING_KINDS,
  type EffacementOrder,
  energyRatios,
  exportW,
  importW,
  MINUTE_MS,
  DAY_MS,
  HISTORY_MS,
} from '@ilot/domain';
import { PowerSample } from '@ilot/forecasting';
import {
  deliveredReduction,
  REFERENCE_DEFAULTS,
  referenceCurve,
  referenceMeanW,
  ReferenceOptions,
} from '@ilot/effacement';
import {
  buildPlanInput,
  commandsToSend,
  committedGridW,
  JavascriptLpSolverAdapter,
  LpSolver,
  plan,
  PLAN_DEFAULTS,
} from '@ilot/optimiser';
import type { CommandPayload } from '@ilot/protocol';
import { gridDeviceId, Site } from '@ilot/site';
import { priceAt } from '@ilot/tariffs';
import { IlotWorld } from './ilot-world';
import { ProfileTable } from './profile-table';

/** How the battery is run in a replay. */
export type BatteryStrategy = 'optimised' | 'self-consumption' | 'idle';

export interface ReplayKpis {
  strategy: BatteryStrategy;
  costEur: number;
  importKWh: number;
  exportKWh: number;
  pvKWh: number;
  consumptionKWh: number;
  selfConsumptionRatio: number;
  selfSufficiencyRatio: number;
  /** Highest 15-minute mean import, kW. */
  peakImportKW: number;
  /** Energy the sheddable loads were denied and have not made up yet at the end, kWh (consumption shifted past the replay). */
  loadEnergyOwedKWh: number;
  /** Reduction delivered over the effacement orders, against the îlot's reference (courbe de référence), kWh. */
  effacementDeliveredKWh: number;
  /** Per order: asked, planned and delivered mean reduction, and what each sheddable load gave. */
  effacements: EffacementOutcome[];
  plans: number;
  meanPlanMs: number;
  /** Energy stored in the batteries at the start and at the end, kWh: a fair comparison counts the difference. */
  storedStartKWh: number;
  storedEndKWh: number;
  /** Cost minus the change of stored energy valued as the planner values it (cheapest import price x discharge efficiency). */
  costNetOfStorageEur: number;
}

export type { EffacementOrder } from '@ilot/domain';

export interface EffacementOutcome {
  id: string;
  askedW: number;
  /** Reference minus the grid power the plans in force committed to (the cap, or above it when short), mean over the order, W. */
  plannedW: number;
  /** Reference minus the measured grid power, mean over the order, W. */
  deliveredW: number;
  /** Slots of the order the plans expected above their cap (not fully deliverable). */
  shortSlots: number;
  /** Per sheddable load: mean power shed over the order and that as a share of its declared flexibility. */
  loads: Array<{ id: string; shedW: number; shareOfMaxShed: number }>;
}

export interface ReplayOptions {
  start: Date;
  days: number;
  stepMinutes?: number;
  slotMinutes?: number;
  horizonSlots?: number;
  initialSocPct?: number;
  /** How often the optimised strategy re-plans, minutes (the live loop re-plans on every new reading). */
  replanMinutes?: number;
  solver?: LpSolver;
  /** The optimised strategy plans from this instant; before it the controllers run on their own rule (history for the references). */
  planFrom?: Date;
  /** A command stays valid this long past the end of its slot, ms (the live default, ILOT_COMMAND_GRACE_S). */
  commandGraceMs?: number;
  /** Aggregator orders the optimised strategy answers (the others ignore them; all are measured). */
  effacements?: EffacementOrder[];
}

let cmdCounter = 0;
const commandId = () => `00000000-0000-4000-8000-${(++cmdCounter).toString(16).padStart(12, '0')}`;

/**
 * Closed-loop replay of the îlot on the shipped real profiles, without broker or database: the
 * world steps every few minutes; with `optimised` the planner re-plans every slot from what the
 * world has shown so far (the same buildPlanInput -> plan as the optimiser app) and commands the
 * battery; `self-consumption` leaves the battery on its controller's own rule; `idle` holds it at 0.
 */
export function replay(
  site: Site,
  profiles: ProfileTable,
  strategy: BatteryStrategy,
  options: ReplayOptions,
): ReplayKpis {
  const stepMs = (options.stepMinutes ?? 5) * MINUTE_MS;
  const slotMinutes = options.slotMinutes ?? 15;
  const slotMs = slotMinutes * MINUTE_MS;
  /** The same history as the live planner's: HISTORY_MS of slot means. */
  const historySlots = HISTORY_MS / slotMs;
  const replanMs = (options.replanMinutes ?? options.stepMinutes ?? 5) * MINUTE_MS;
  const solver = options.solver ?? new JavascriptLpSolverAdapter();
  const world = new IlotWorld(site, profiles, options.initialSocPct);
  const gridId = gridDeviceId(site);
  const consumers = new Set([...site.devices.values()].filter((d) => CONSUMING_KINDS.has(d.kind)).map((d) => d.id));
  const totals = { importWh: 0, exportWh: 0, pvWh: 0, consumptionWh: 0, costEur: 0, minImportEurPerKWh: Infinity };
  const history: PowerSample[] = [];
  const pvHistory: PowerSample[] = [];
  const pvIds = new Set([...site.devices.values()].filter((d) => d.kind === 'pv').map((d) => d.id));
  let slotConsumption = { sumW: 0, pvSumW: 0, steps: 0, start: 0 };
  let slotImport = { sumW: 0, steps: 0 };
  let peakImportW = 0;
  let plans = 0;
  let planMs = 0;
  let latest = new Map<string, { ts: Date; powerW: number; socPct: number | null }>();
  // Slot means of the grid and of each sheddable load: the reference and the loads' baselines are made from them.
  // NET is the grid less the batteries: the îlot's import without its storage, the basis of effacement references.
  const NET = '(net of storage)';
  const tracked = [gridId, NET, ...world.loads.keys()];
  const slotHistory = new Map<string, PowerSample[]>(tracked.map((id) => [id, []]));
  let trackedSums = new Map<string, number>();
  const orders = options.effacements ?? [];
  const referenceOptions: ReferenceOptions = {
    timeZone: site.timezone,
    slotMinutes,
    ...REFERENCE_DEFAULTS,
    eventDays: new Set(),
  };
  const plannedGridW = new Map<number, number>();
  /** The command each device has, as the live dispatcher keeps it. */
  const current = new Map<string, CommandPayload>();
  const shortSlots = new Set<string>();
  const shedStartWh = new Map<string, Map<string, number>>();
  const shedWh = new Map<string, Map<string, number>>();
  const storedKWh = () =>
    [...world.batteries.values()].reduce((sum, b) => sum + (b.socPct / 100) * b.spec.capacityWh, 0) / 1000;
  const storedStartKWh = storedKWh();
  const startMs = options.start.getTime();
  const endMs = startMs + options.days * DAY_MS;

  for (let t = startMs; t < endMs; t += stepMs) {
    const now = new Date(t);
    if (t % slotMs === 0) {
      if (slotConsumption.steps > 0) {
        history.push({ at: new Date(slotConsumption.start), powerW: slotConsumption.sumW / slotConsumption.steps });
        pvHistory.push({ at: new Date(slotConsumption.start), powerW: slotConsumption.pvSumW / slotConsumption.steps });
      }
      if (slotImport.steps > 0) peakImportW = Math.max(peakImportW, slotImport.sumW / slotImport.steps);
      if (slotConsumption.steps > 0)
        for (const id of tracked)
          slotHistory
            .get(id)!
            .push({ at: new Date(slotConsumption.start), powerW: (trackedSums.get(id) ?? 0) / slotConsumption.steps });
      trackedSums = new Map();
      for (const order of orders) {
        // What each load has shed by the order's start and by its end (the world counts it exactly).
        if (t === order.start.getTime())
          shedStartWh.set(order.id, new Map([...world.loads].map(([id, c]) => [id, c.shedWh])));
        if (t === order.end.getTime())
          shedWh.set(
            order.id,
            new Map([...world.loads].map(([id, c]) => [id, c.shedWh - (shedStartWh.get(order.id)?.get(id) ?? 0)])),
          );
      }
      slotConsumption = { sumW: 0, pvSumW: 0, steps: 0, start: t };
      slotImport = { sumW: 0, steps: 0 };
    }
    if (
      t % replanMs === 0 &&
      strategy !== 'self-consumption' &&
      latest.size > 0 &&
      t >= (options.planFrom?.getTime() ?? startMs)
    ) {
      const validUntil = new Date(t + Math.max(replanMs, stepMs)).toISOString();
      let commands: Array<{ deviceId: string; command: CommandPayload }>;
      if (strategy === 'optimised') {
        const inForce = orders.filter((o) => o.end.getTime() > t);
        const signals = {
          effacements: inForce.map((o) => ({
            ...o,
            referenceW: referenceMeanW(slotHistory.get(NET)!, o, referenceOptions),
          })),
          ecowatt: [],
          tempo: new Map(),
        };
        const flexibleHistory = new Map(
          [...world.loads.keys()].map((id) => [id, slotHistory.get(id)!.slice(-historySlots)]),
        );
        const observations = {
          latest,
          consumptionHistory: history.slice(-historySlots),
          pvHistory: pvHistory.slice(-historySlots),
          flexibleHistory,
          signals,
        };
        const { input } = buildPlanInput(site, observations, now, {
          slotMinutes,
          horizonSlots: options.horizonSlots ?? 96,
          cyclingCostEurPerKWh: PLAN_DEFAULTS.cyclingCostEurPerKWh,
        });
        const outcome = plan(input, solver);
        plans++;
        planMs += outcome.buildMs + outcome.solveMs + outcome.decodeMs;
        // The live loop's command policy: a device keeps its command while the plan holds (libs/optimiser).
        commands = commandsToSend(outcome.schedule, input, (id) => current.get(id), {
          now,
          graceMs: options.commandGraceMs ?? PLAN_DEFAULTS.commandGraceS * 1000,
          importLimitW: site.connection.importLimitW,
          newId: commandId,
        });
        // The plan in force for each slot of an order: its expected grid power, and whether it expects to miss the cap.
        const first = outcome.schedule.slots[0];
        if (
          first &&
          orders.some((o) => Date.parse(first.start) >= o.start.getTime() && Date.parse(first.start) < o.end.getTime())
        ) {
          plannedGridW.set(Date.parse(first.start), committedGridW(outcome.schedule));
          if (outcome.schedule.violations.some((v) => v.constraint === 'effacement' && v.slotStart === first.start))
            shortSlots.add(first.start);
        }
      } else {
        const idle = (deviceId: string) => ({
          deviceId,
          command: {
            cmdId: commandId(),
            type: 'battery.setpoint' as const,
            issuedAt: now.toISOString(),
            validFrom: now.toISOString(),
            validUntil,
            setpointW: 0,
            reason: 'idle',
          },
        });
        commands = [...world.batteries.keys()].map(idle);
      }
      for (const { deviceId, command } of commands)
        if (world.command(deviceId, command, now).status === 'applied') current.set(deviceId, command);
    }
    const readings = world.step(now);
    latest = new Map(readings.map((r) => [r.deviceId, { ts: r.ts, powerW: r.powerW, socPct: r.socPct ?? null }]));
    // Each reading's power is held over the coming step (the world's zero-order hold).
    const hours = stepMs / 3_600_000;
    const gridW = latest.get(gridId)!.powerW;
    const price = priceAt(now, site.tariff, site.timezone);
    totals.minImportEurPerKWh = Math.min(totals.minImportEurPerKWh, price.importEurPerKWh);
    totals.importWh += importW(gridW) * hours;
    totals.exportWh += exportW(gridW) * hours;
    totals.costEur +=
      ((importW(gridW) * price.importEurPerKWh - exportW(gridW) * price.exportEurPerKWh) * hours) / 1000;
    let consumptionW = 0;
    for (const r of readings) {
      if (consumers.has(r.deviceId)) consumptionW += r.powerW;
      if (pvIds.has(r.deviceId)) {
        totals.pvWh += r.powerW * hours;
        slotConsumption.pvSumW += r.powerW;
      }
    }
    totals.consumptionWh += consumptionW * hours;
    slotConsumption.sumW += consumptionW;
    slotConsumption.steps++;
    slotImport.sumW += importW(gridW);
    // grid = consumption - PV - battery (battery > 0 discharging), so the import without storage is grid + battery.
    const netW = gridW + [...world.batteries.keys()].reduce((sum, id) => sum + latest.get(id)!.powerW, 0);
    for (const id of tracked)
      trackedSums.set(id, (trackedSums.get(id) ?? 0) + (id === NET ? netW : latest.get(id)!.powerW));
    slotImport.steps++;
  }
  const effacements = orders.map((order) =>
    effacementOutcome(
      order,
      slotHistory.get(NET)!,
      slotHistory.get(gridId)!,
      plannedGridW,
      shortSlots,
      shedWh.get(order.id),
      site,
      referenceOptions,
    ),
  );
  const ratios = energyRatios(totals);
  return {
    strategy,
    costEur: totals.costEur,
    importKWh: totals.importWh / 1000,
    exportKWh: totals.exportWh / 1000,
    pvKWh: totals.pvWh / 1000,
    consumptionKWh: totals.consumptionWh / 1000,
    selfConsumptionRatio: ratios.selfConsumptionRatio ?? 0,
    selfSufficiencyRatio: ratios.selfSufficiencyRatio ?? 0,
    peakImportKW: peakImportW / 1000,
    loadEnergyOwedKWh: [...world.loads.values()].reduce((sum, load) => sum + load.debtWh, 0) / 1000,
    effacementDeliveredKWh: effacements.reduce(
      (sum, e) => sum + (e.deliveredW * (e.endMs - e.startMs)) / 3_600_000 / 1000,
      0,
    ),
    effacements: effacements.map(({ startMs: _s, endMs: _e, ...outcome }) => outcome),
    plans,
    meanPlanMs: plans ? planMs / plans : 0,
    storedStartKWh,
    storedEndKWh: storedKWh(),
    costNetOfStorageEur:
      totals.costEur - (storedKWh() - storedStartKWh) * totals.minImportEurPerKWh * storedValueEfficiency(world),
  };
}

/** Mean discharge efficiency of the batteries, weighted by capacity (1 without batteries). */
function storedValueEfficiency(world: IlotWorld): number {
  const batteries = [...world.batteries.values()];
  const capacityWh = batteries.reduce((sum, b) => sum + b.spec.capacityWh, 0);
  return capacityWh
    ? batteries.reduce((sum, b) => sum + b.spec.dischargeEfficiency * b.spec.capacityWh, 0) / capacityWh
    : 1;
}

/**
 * An order's outcome, as the API's report makes it: the reference from the history of the îlot's import net of its
 * storage (what the batteries do before an event cannot move it), the planned and the measured grid power against it.
 */
function effacementOutcome(
  order: EffacementOrder,
  netHistory: readonly PowerSample[],
  gridHistory: readonly PowerSample[],
  plannedGridW: ReadonlyMap<number, number>,
  shortSlots: ReadonlySet<string>,
  shedWh: ReadonlyMap<string, number> | undefined,
  site: Site,
  options: ReferenceOptions,
): EffacementOutcome & { startMs: number; endMs: number } {
  const reference = referenceCurve(netHistory, order, options);
  const delivered = deliveredReduction(reference, gridHistory, options.slotMinutes);
  const planned = deliveredReduction(
    reference,
    [...plannedGridW].map(([ms, powerW]) => ({ at: new Date(ms), powerW })),
    options.slotMinutes,
  );
  const hours = (order.end.getTime() - order.start.getTime()) / 3_600_000;
  const loads = [...(shedWh ?? new Map<string, number>())].map(([id, wh]) => {
    const device = site.devices.get(id)!;
    const maxShedW = device.kind === 'heat_pump' || device.kind === 'flexible_load' ? device.maxShedW : 0;
    return { id, shedW: wh / hours, shareOfMaxShed: maxShedW ? wh / hours / maxShedW : 0 };
  });
  return {
    id: order.id,
    askedW: order.reductionW,
    plannedW: planned.meanReductionW,
    deliveredW: delivered.meanReductionW,
    shortSlots: [...shortSlots].filter(
      (s) => Date.parse(s) >= order.start.getTime() && Date.parse(s) < order.end.getTime(),
    ).length,
    loads,
    startMs: order.start.getTime(),
    endMs: order.end.getTime(),
  };
}
