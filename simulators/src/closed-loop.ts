import { CONSUMING_KINDS, energyRatios, exportW, importW, MINUTE_MS } from '@ilot/domain';
import { PowerSample } from '@ilot/forecasting';
import { batteryCommands, buildPlanInput, JavascriptLpSolverAdapter, LpSolver, plan, PLAN_DEFAULTS } from '@ilot/optimiser';
import type { CommandPayload } from '@ilot/mqtt';
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
  /** Effacement is not replayed yet (no signals in the replay). */
  effacementDeliveredKWh: number;
  plans: number;
  meanPlanMs: number;
  /** Energy stored in the batteries at the start and at the end, kWh: a fair comparison counts the difference. */
  storedStartKWh: number;
  storedEndKWh: number;
  /** Cost minus the change of stored energy valued as the planner values it (cheapest import price x discharge efficiency). */
  costNetOfStorageEur: number;
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
}

let cmdCounter = 0;
const commandId = () => `00000000-0000-4000-8000-${(++cmdCounter).toString(16).padStart(12, '0')}`;

/**
 * Closed-loop replay of the îlot on the shipped real profiles, without broker or database: the
 * world steps every few minutes; with `optimised` the planner re-plans every slot from what the
 * world has shown so far (the same buildPlanInput -> plan as the optimiser app) and commands the
 * battery; `self-consumption` leaves the battery on its controller's own rule; `idle` holds it at 0.
 */
export function replay(site: Site, profiles: ProfileTable, strategy: BatteryStrategy, options: ReplayOptions): ReplayKpis {
  const stepMs = (options.stepMinutes ?? 5) * MINUTE_MS;
  const slotMinutes = options.slotMinutes ?? 15;
  const slotMs = slotMinutes * MINUTE_MS;
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
  const storedKWh = () => [...world.batteries.values()].reduce((sum, b) => sum + (b.socPct / 100) * b.spec.capacityWh, 0) / 1000;
  const storedStartKWh = storedKWh();
  const startMs = options.start.getTime();
  const endMs = startMs + options.days * 86_400_000;

  for (let t = startMs; t < endMs; t += stepMs) {
    const now = new Date(t);
    if (t % slotMs === 0) {
      if (slotConsumption.steps > 0) {
        history.push({ at: new Date(slotConsumption.start), powerW: slotConsumption.sumW / slotConsumption.steps });
        pvHistory.push({ at: new Date(slotConsumption.start), powerW: slotConsumption.pvSumW / slotConsumption.steps });
      }
      if (slotImport.steps > 0) peakImportW = Math.max(peakImportW, slotImport.sumW / slotImport.steps);
      slotConsumption = { sumW: 0, pvSumW: 0, steps: 0, start: t };
      slotImport = { sumW: 0, steps: 0 };
    }
    if (t % replanMs === 0 && strategy !== 'self-consumption' && latest.size > 0) {
      const validUntil = new Date(t + Math.max(replanMs, stepMs)).toISOString();
      let commands: Array<{ deviceId: string; command: CommandPayload }>;
      if (strategy === 'optimised') {
        const observations = { latest, consumptionHistory: history.slice(-7 * 96), pvHistory: pvHistory.slice(-7 * 96) };
        const { input } = buildPlanInput(site, observations, now, {
          slotMinutes,
          horizonSlots: options.horizonSlots ?? 96,
          cyclingCostEurPerKWh: PLAN_DEFAULTS.cyclingCostEurPerKWh,
        });
        const outcome = plan(input, solver);
        plans++;
        planMs += outcome.buildMs + outcome.solveMs + outcome.decodeMs;
        commands = batteryCommands(
          outcome.schedule,
          input.batteries.map((b) => b.id),
          { now, graceMs: 0, importLimitW: site.connection.importLimitW, newId: commandId, capacityWh: (id) => world.batteries.get(id)!.spec.capacityWh },
        ).map(({ deviceId, command }) => ({ deviceId, command: { ...command, validUntil } }));
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
      for (const { deviceId, command } of commands) world.batteries.get(deviceId)!.controller.receive(command, now);
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
    totals.costEur += ((importW(gridW) * price.importEurPerKWh - exportW(gridW) * price.exportEurPerKWh) * hours) / 1000;
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
    slotImport.steps++;
  }
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
    effacementDeliveredKWh: 0,
    plans,
    meanPlanMs: plans ? planMs / plans : 0,
    storedStartKWh,
    storedEndKWh: storedKWh(),
    costNetOfStorageEur: totals.costEur - (storedKWh() - storedStartKWh) * totals.minImportEurPerKWh * storedValueEfficiency(world),
  };
}

/** Mean discharge efficiency of the batteries, weighted by capacity (1 without batteries). */
function storedValueEfficiency(world: IlotWorld): number {
  const batteries = [...world.batteries.values()];
  const capacityWh = batteries.reduce((sum, b) => sum + b.spec.capacityWh, 0);
  return capacityWh ? batteries.reduce((sum, b) => sum + b.spec.dischargeEfficiency * b.spec.capacityWh, 0) / capacityWh : 1;
}
