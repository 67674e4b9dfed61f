import {
  CONSUMING_KINDS,
  DAY_MS,
  type EffacementOrder,
  energyRatios,
  type EvSession,
  exportW,
  importW,
  type Reading,
} from '@ilot/domain';
import type { PowerSample } from '@ilot/forecasting';
import { PLAN_DEFAULTS, type StoredEnergySegment, storedEnergyValueEur } from '@ilot/optimiser';
import { gridDeviceId, type Site } from '@ilot/site';
import {
  contractedImportW,
  type ImportInterval,
  overrunCostEur as tariffOverrunCostEur,
  priceAt,
  type TempoCalendar,
} from '@ilot/tariffs';
import type { BatteryStrategy, EffacementOutcome, ReplayKpis, SlotTrace } from './replay-types';

export type { SlotTrace } from './replay-types';
import type { IlotWorld } from './ilot-world';

/** The îlot's import without its storage (grid + batteries): the basis of effacement references. */
export const NET_OF_STORAGE = '(net of storage)';

export interface LatestReading {
  ts: Date;
  powerW: number;
  socPct: number | null;
}

/**
 * What a replay measures: energy and cost totals, the slot means the planner and the references are made from
 * (consumption, PV, the grid, the import net of storage, each sheddable load), the highest 15-min import, what each
 * load shed over each order, and the latest readings the planner observes.
 */
export class ReplayMeter {
  readonly gridId: string;
  readonly consumptionHistory: PowerSample[] = [];
  readonly pvHistory: PowerSample[] = [];
  /** Slot means of the grid, the import net of storage, each sheddable load, charger and PV array. */
  readonly slotHistory: Map<string, PowerSample[]>;
  /** Per order: the energy each load shed between its start and its end, Wh. */
  readonly shedWh = new Map<string, Map<string, number>>();
  latest = new Map<string, LatestReading>();
  /** The sessions the chargers reported with their latest readings. */
  evSessions = new Map<string, EvSession>();
  /** What the sheddable loads reported they owe with their latest readings (`owedWh`). */
  owedWh = new Map<string, number>();
  /** Per closed slot: its start, the mean grid power and the energy stored at its end (what the replay's picture shows). */
  readonly trace: SlotTrace[] = [];
  private readonly totals = {
    importWh: 0,
    exportWh: 0,
    pvWh: 0,
    consumptionWh: 0,
    costEur: 0,
    minImportEurPerKWh: Infinity,
    /** Energy through the batteries, charged and discharged (AC side), Wh. */
    batteryThroughputWh: 0,
  };
  private readonly consumers: Set<string>;
  private readonly pvIds: Set<string>;
  private readonly tracked: string[];
  private readonly shedStartWh = new Map<string, Map<string, number>>();
  private readonly storedStartKWh: number;
  private readonly startSocPct: Map<string, number>;
  private slot = { sumW: 0, pvSumW: 0, importSumW: 0, steps: 0, start: 0 };
  private trackedSums = new Map<string, number>();
  private peakImportW = 0;
  /** Each closed slot's mean import: what the capacity tariff's overruns are counted on. */
  private readonly imports: ImportInterval[] = [];
  /** Energy imported above the contracted power, counted on 15-min means as the network operator counts it, Wh. */
  private aboveLimitWh = 0;

  constructor(
    private readonly site: Site,
    private readonly world: IlotWorld,
    private readonly orders: readonly EffacementOrder[],
    /** The Tempo colours of the replayed dates (a Tempo tariff; a date without one is priced blue). */
    private readonly tempo: TempoCalendar = () => undefined,
  ) {
    this.gridId = gridDeviceId(site);
    this.consumers = new Set([...site.devices.values()].filter((d) => CONSUMING_KINDS.has(d.kind)).map((d) => d.id));
    this.pvIds = new Set([...site.devices.values()].filter((d) => d.kind === 'pv').map((d) => d.id));
    this.tracked = [this.gridId, NET_OF_STORAGE, ...world.loads.keys(), ...world.chargers.keys(), ...this.pvIds];
    this.slotHistory = new Map(this.tracked.map((id) => [id, []]));
    this.storedStartKWh = this.storedKWh();
    this.startSocPct = new Map([...world.batteries].map(([id, battery]) => [id, battery.socPct]));
  }

  /** At a slot boundary: the closed slot's means and peak, and each load's shed energy at an order's start and end. */
  closeSlot(t: number): void {
    const { slot } = this;
    if (slot.steps > 0) {
      const at = new Date(slot.start);
      this.consumptionHistory.push({ at, powerW: slot.sumW / slot.steps });
      this.pvHistory.push({ at, powerW: slot.pvSumW / slot.steps });
      this.peakImportW = Math.max(this.peakImportW, slot.importSumW / slot.steps);
      const slotH = (t - slot.start) / 3_600_000;
      const importW = slot.importSumW / slot.steps;
      this.aboveLimitWh += Math.max(importW - contractedImportW(at, this.site), 0) * slotH;
      this.imports.push({ start: at, hours: slotH, importW });
      for (const id of this.tracked)
        this.slotHistory.get(id)!.push({ at, powerW: (this.trackedSums.get(id) ?? 0) / slot.steps });
      this.trace.push({
        startMs: slot.start,
        gridW: (this.trackedSums.get(this.gridId) ?? 0) / slot.steps,
        storedKWh: this.storedKWh(),
        sheddableW: [...this.world.loads.keys()].reduce(
          (sum, id) => sum + (this.trackedSums.get(id) ?? 0) / slot.steps,
          0,
        ),
        shedKWh: [...this.world.loads.values()].reduce((sum, load) => sum + load.shedWh, 0) / 1000,
      });
    }
    this.trackedSums = new Map();
    for (const order of this.orders) {
      // What each load has shed by the order's start and by its end (the world counts it exactly).
      const shedNow = () => [...this.world.loads].map(([id, c]) => [id, c.shedWh] as const);
      if (t === order.start.getTime()) this.shedStartWh.set(order.id, new Map(shedNow()));
      if (t === order.end.getTime())
        this.shedWh.set(
          order.id,
          new Map(shedNow().map(([id, wh]) => [id, wh - (this.shedStartWh.get(order.id)?.get(id) ?? 0)])),
        );
    }
    this.slot = { sumW: 0, pvSumW: 0, importSumW: 0, steps: 0, start: t };
  }

  /** One step's readings, each power held over the coming `hours` (the world's zero-order hold). */
  record(now: Date, readings: readonly Reading[], hours: number): void {
    this.latest = new Map(readings.map((r) => [r.deviceId, { ts: r.ts, powerW: r.powerW, socPct: r.socPct ?? null }]));
    this.evSessions = new Map(readings.flatMap((r) => (r.evSession ? [[r.deviceId, r.evSession]] : [])));
    this.owedWh = new Map(readings.flatMap((r) => (r.owedWh === undefined ? [] : [[r.deviceId, r.owedWh]])));
    const gridW = this.latest.get(this.gridId)!.powerW;
    const price = priceAt(now, this.site.tariff, this.site.timezone, this.tempo);
    const { totals, slot } = this;
    totals.minImportEurPerKWh = Math.min(totals.minImportEurPerKWh, price.importEurPerKWh);
    totals.importWh += importW(gridW) * hours;
    totals.exportWh += exportW(gridW) * hours;
    totals.costEur +=
      ((importW(gridW) * price.importEurPerKWh - exportW(gridW) * price.exportEurPerKWh) * hours) / 1000;
    let consumptionW = 0;
    for (const r of readings) {
      if (this.consumers.has(r.deviceId)) consumptionW += r.powerW;
      if (this.pvIds.has(r.deviceId)) {
        totals.pvWh += r.powerW * hours;
        slot.pvSumW += r.powerW;
      }
    }
    totals.consumptionWh += consumptionW * hours;
    slot.sumW += consumptionW;
    slot.importSumW += importW(gridW);
    slot.steps++;
    // grid = consumption - PV - battery (battery > 0 discharging), so the import without storage is grid + battery.
    const netW = gridW + [...this.world.batteries.keys()].reduce((sum, id) => sum + this.latest.get(id)!.powerW, 0);
    for (const id of this.world.batteries.keys())
      totals.batteryThroughputWh += Math.abs(this.latest.get(id)!.powerW) * hours;
    for (const id of this.tracked)
      this.trackedSums.set(
        id,
        (this.trackedSums.get(id) ?? 0) + (id === NET_OF_STORAGE ? netW : this.latest.get(id)!.powerW),
      );
  }

  /**
   * The history the operator's database would hold at the replay's start: `days` of the same world before it, its
   * batteries on their own rule, as slot means (consumption, PV, grid, import net of storage, each sheddable load).
   * Only the planner's observations are filled; the replay's totals and KPIs start at its start.
   */
  warmUp(shadow: IlotWorld, start: Date, days: number, stepMs: number, slotMs: number): void {
    const earlier = new ReplayMeter(this.site, shadow, [], this.tempo);
    for (let t = start.getTime() - days * DAY_MS; t < start.getTime(); t += stepMs) {
      if (t % slotMs === 0) earlier.closeSlot(t);
      earlier.record(new Date(t), shadow.step(new Date(t)), stepMs / 3_600_000);
    }
    earlier.closeSlot(start.getTime());
    this.consumptionHistory.push(...earlier.consumptionHistory);
    this.pvHistory.push(...earlier.pvHistory);
    for (const [id, samples] of earlier.slotHistory) this.slotHistory.get(id)!.push(...samples);
  }

  /** The replay's KPIs, its orders' outcomes and its planning figures given. */
  kpis(
    strategy: BatteryStrategy,
    effacements: Array<EffacementOutcome & { startMs: number; endMs: number }>,
    planning: { plans: number; planMs: number },
    /** The replay's end: what the EVs owe is counted then. */
    end: Date,
    /** What each battery's stored energy is worth at the end (`endOfPeriodValue`). */
    endValue: Readonly<Record<string, readonly StoredEnergySegment[]>>,
  ): ReplayKpis {
    const { totals } = this;
    const ratios = energyRatios(totals);
    const storedEndKWh = this.storedKWh();
    const loadEnergyOwedKWh = [...this.world.loads.values()].reduce((sum, load) => sum + load.debtWh, 0) / 1000;
    const ev = this.world.evEnergyKWh(end);
    const overrunCostEur = tariffOverrunCostEur(this.imports, this.site);
    const wearCostEur = (totals.batteryThroughputWh / 1000) * PLAN_DEFAULTS.cyclingCostEurPerKWh;
    return {
      strategy,
      energyCostEur: totals.costEur,
      overrunCostEur,
      wearCostEur,
      importKWh: totals.importWh / 1000,
      exportKWh: totals.exportWh / 1000,
      pvKWh: totals.pvWh / 1000,
      consumptionKWh: totals.consumptionWh / 1000,
      selfConsumptionRatio: ratios.selfConsumptionRatio ?? 0,
      selfSufficiencyRatio: ratios.selfSufficiencyRatio ?? 0,
      peakImportKW: this.peakImportW / 1000,
      importAboveLimitKWh: this.aboveLimitWh / 1000,
      loadEnergyOwedKWh,
      evEnergyOwedKWh: ev.owedKWh,
      evShortfallKWh: ev.shortfallKWh,
      effacementDeliveredKWh: effacements.reduce(
        (sum, e) => sum + (e.deliveredW * (e.endMs - e.startMs)) / 3_600_000 / 1000,
        0,
      ),
      effacements: effacements.map(({ startMs: _s, endMs: _e, ...outcome }) => outcome),
      plans: planning.plans,
      meanPlanMs: planning.plans ? planning.planMs / planning.plans : 0,
      storedStartKWh: this.storedStartKWh,
      storedEndKWh,
      trace: this.trace,
      // Energy a shed load or a plugged EV still owes is consumption moved past the replay's end: it is paid at the
      // cheapest import price. A stranded driver costs what the planner's penalty says.
      costNetOfStorageEur:
        totals.costEur +
        overrunCostEur +
        wearCostEur -
        this.storedValueChangeEur(endValue) +
        (loadEnergyOwedKWh + ev.owedKWh) * totals.minImportEurPerKWh +
        ev.shortfallKWh * PLAN_DEFAULTS.evShortfallPenaltyEurPerKWh,
    };
  }

  /** Each battery's stored energy at the end less at the start, valued by its segments (above its floor), EUR. */
  private storedValueChangeEur(endValue: Readonly<Record<string, readonly StoredEnergySegment[]>>): number {
    let eur = 0;
    for (const [id, battery] of this.world.batteries) {
      const aboveFloorKWh = (socPct: number) =>
        ((socPct - battery.spec.minSocPct) / 100) * (battery.spec.capacityWh / 1000);
      const segments = endValue[id] ?? [];
      eur +=
        storedEnergyValueEur(segments, aboveFloorKWh(battery.socPct)) -
        storedEnergyValueEur(segments, aboveFloorKWh(this.startSocPct.get(id)!));
    }
    return eur;
  }

  private storedKWh(): number {
    return [...this.world.batteries.values()].reduce((sum, b) => sum + (b.socPct / 100) * b.spec.capacityWh, 0) / 1000;
  }
}
