/** What a closed-loop replay is asked and answers (simulators/src/closed-loop.ts), in one place for its parts. */

/**
 * How the battery is run in a replay: `optimised` by the live loop's planner and command policy, `self-consumption` by
 * its controller's own rule, `idle` held at 0, `perfect-foresight` by one plan of the whole period made with the true
 * series (the bound: what no forecast can beat), `oracle-forecast` by the live planner fed the true future instead of
 * its forecasts (what is lost to forecast error, against what is lost to the policy).
 */
/**
 * `no-battery`: the same îlot without its batteries, its loads and chargers planned by the optimiser (what the
 * batteries earn is its cost less the optimised one's; what load control earns, idle's less its own).
 */
export type BatteryStrategy =
  'optimised' | 'oracle-forecast' | 'self-consumption' | 'idle' | 'perfect-foresight' | 'no-battery';

export interface ReplayKpis {
  strategy: BatteryStrategy;
  /** Energy bought less energy sold, EUR. */
  energyCostEur: number;
  /** Overrun penalties under the site's capacity tariff (0 without one), EUR. */
  overrunCostEur: number;
  /**
   * The batteries' wear: the energy through them (charged and discharged, AC side) x the planner's wear cost per kWh
   * (PLAN_DEFAULTS.cyclingCostEurPerKWh), EUR. A battery cycled for a margin smaller than its wear loses money.
   */
  wearCostEur: number;
  importKWh: number;
  exportKWh: number;
  pvKWh: number;
  consumptionKWh: number;
  selfConsumptionRatio: number;
  selfSufficiencyRatio: number;
  /** Highest 15-minute mean import, kW. */
  peakImportKW: number;
  /** Energy imported above the contracted power (its time class's subscription, else importLimitW), on 15-minute means, kWh. */
  importAboveLimitKWh: number;
  /** Energy the sheddable loads were denied and have not made up yet at the end, kWh (consumption shifted past the replay). */
  loadEnergyOwedKWh: number;
  /** Energy the EVs still plugged at the end still want, kWh (charging moved past the replay). */
  evEnergyOwedKWh: number;
  /** Energy the EVs that left lacked at their departure, kWh: a driver stranded, 0 when every car got its energy. */
  evShortfallKWh: number;
  /** Reduction delivered over the effacement orders, against the îlot's reference (courbe de référence), kWh. */
  effacementDeliveredKWh: number;
  /** Per order: asked, planned and delivered mean reduction, and what each sheddable load gave. */
  effacements: EffacementOutcome[];
  plans: number;
  meanPlanMs: number;
  /**
   * With `--pv-forecast` (issue 27): the slots this strategy's plans priced with an issued PV forecast, and with the
   * planner's own (clear sky x clearness); both 0 for a strategy that does not plan.
   */
  pvSlots?: { issued: number; own: number };
  /** Energy stored in the batteries at the start and at the end, kWh: a fair comparison counts the difference. */
  storedStartKWh: number;
  storedEndKWh: number;
  /**
   * Energy cost plus overrun cost plus the batteries' wear, minus the change of each battery's stored energy valued as
   * the live planner values its horizon's end (`endOfPeriodValue`, ADR 0017: what refilling it costs), plus the energy shed loads and plugged EVs still owe at the end (at the cheapest
   * import price), plus the EVs' shortfall at the planner's penalty per kWh: what each strategy paid for the same
   * service (the wear counted since issue 27: the planners pay it, so a bound that ignored it cycled for margins they
   * rightly leave).
   */
  costNetOfStorageEur: number;
  /** Per slot: mean grid power and stored energy (the picture of the replay; not part of kpis.json). */
  trace: SlotTrace[];
}

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

export interface SlotTrace {
  startMs: number;
  /** Mean grid power over the slot, W (> 0 importing). */
  gridW: number;
  /** Energy stored in all batteries at the slot's end, kWh. */
  storedKWh: number;
  /** Mean power of the sheddable loads together over the slot, W. */
  sheddableW: number;
  /** Energy the sheddable loads were denied since the start, at the slot's end, kWh. */
  shedKWh: number;
}
