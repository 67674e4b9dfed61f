import { Logger } from '@nestjs/common';
import {
  Clock,
  CONSUMING_KINDS,
  DAY_MS,
  type EvSession,
  HOUR_MS,
  HISTORY_MS,
  localMonth,
  localMonthRange,
  MINUTE_MS,
  slotStart,
} from '@ilot/domain';
import { contractedImportW, priceAt } from '@ilot/tariffs';
import { topics } from '@ilot/protocol';
import {
  buildPlanInput,
  commandsToSend,
  describeExcluded,
  EXTERNAL_PV_MAX_AGE_MS,
  keepLastValid,
  peakChargeEurPerKW,
  planSummary,
  planAsync,
  type PlanInput,
  Schedule,
} from '@ilot/optimiser';
import type { HeldLease } from '@ilot/timeseries';
import {
  describeLiveness,
  deviceLiveness,
  devicesOfKind,
  electricDevices,
  gridDeviceId,
  sheddableLoads,
  Site,
} from '@ilot/site';
import {
  DeviceStatusRepository,
  EffacementReferences,
  PlanRepository,
  ReadingRepository,
  PvForecastRepository,
  SignalRepository,
  type StoredEvSession,
} from '@ilot/timeseries';
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { catchError, defer, EMPTY, exhaustMap, filter, Subscription } from 'rxjs';
import type { CommandDispatcher } from './command-dispatcher';
import type { OptimiserConfig } from './optimiser.config';
import type { OptimiserMetrics } from './optimiser.metrics';
import { planTriggers, PlanTrigger } from './plan-triggers';
import type { SolverPool } from './solver-pool';
import { planSignals } from './plan-signals';
import type { SiteChangesAdapter } from './site-changes.adapter';

/** What every site's planner of a process shares. */
export interface PlannerDeps {
  clock: Clock;
  config: OptimiserConfig;
  mqtt: MqttClient;
  solver: SolverPool;
  readings: ReadingRepository;
  statuses: DeviceStatusRepository;
  plans: PlanRepository;
  changes: SiteChangesAdapter;
  signals: SignalRepository;
  pvForecasts: PvForecastRepository;
  metrics: OptimiserMetrics;
  /** A command dispatcher for a site (its acks, retries, verification). */
  dispatcherFor(site: Site): CommandDispatcher;
}

/**
 * One site's RxJS planning loop: triggers -> read the îlot's state -> plan -> publish schedule and commands. One run at
 * a time (exhaustMap: a trigger that arrives during a run is dropped, the next one plans with newer data); an error
 * ends the run, never the loop. With a lease (many îlots, issue 14), the schedule says which planner made it under
 * which fencing token, and a run whose lease is no longer current sends nothing.
 */
export class SitePlanner {
  private readonly logger: Logger;
  private subscription: Subscription | undefined;
  private readonly consumerIds: string[];
  private readonly pvIds: string[];
  private readonly deviceIds: string[];
  private readonly gridId: string;
  private readonly ownHistoryIds: string[];
  private readonly dispatcher: CommandDispatcher;
  private readonly references: EffacementReferences;
  /** The last optimal or feasible plan, kept while the solver gives none (ILOT_PLAN_KEEP_S). */
  private lastValid: Schedule | undefined;
  /** Where the last run's time went, real ms: reading the state, planning (build, solve, decode), storing and sending. */
  lastTimings = { observeMs: 0, planMs: 0, publishMs: 0 };
  /** The run in flight, awaited at stop so that it never writes to a closed pool. */
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(
    readonly site: Site,
    private readonly deps: PlannerDeps,
    /** The lease this planner plans under (many îlots), and how to tell it is still current. */
    private readonly lease?: HeldLease & { holder: string; isCurrent: () => Promise<boolean> },
  ) {
    this.logger = new Logger(lease ? `PlanningLoop ${site.id}` : 'PlanningLoop');
    this.consumerIds = [...site.devices.values()].filter((d) => CONSUMING_KINDS.has(d.kind)).map((d) => d.id);
    this.pvIds = devicesOfKind(site, 'pv').map((d) => d.id);
    this.deviceIds = electricDevices(site).map((d) => d.id);
    this.gridId = gridDeviceId(site);
    // Each sheddable load's history is its baseline; each charger's its habit (what the plan takes over when plugged).
    this.ownHistoryIds = [...sheddableLoads(site), ...devicesOfKind(site, 'ev_charger')].map((d) => d.id);
    this.dispatcher = deps.dispatcherFor(site);
    this.references = new EffacementReferences(site, deps.readings, deps.signals);
  }

  /** The fencing token this planner plans under (undefined for the one site of ILOT_SITE_FILE). */
  get leaseToken(): number | undefined {
    return this.lease?.token;
  }

  async start(): Promise<void> {
    await this.dispatcher.start();
    const { clock, config, changes, metrics } = this.deps;
    const slotMs = config.ILOT_PLAN_SLOT_MINUTES * MINUTE_MS;
    const triggers$ = planTriggers(changes.changes$.pipe(filter((c) => c.site === this.site.id)), {
      periodMs: slotMs / clock.speedup,
      minIntervalMs: (config.ILOT_REPLAN_MIN_INTERVAL_S * 1000) / clock.speedup,
    });
    this.subscription = triggers$
      .pipe(
        exhaustMap((trigger) =>
          defer(() => (this.inFlight = this.run(trigger))).pipe(
            catchError((error: Error) => {
              metrics.runs.inc({ site: this.site.id, status: 'error' });
              this.logger.error(`planning run failed: ${error.message}`);
              return EMPTY;
            }),
          ),
        ),
      )
      .subscribe();
  }

  /** Stops planning: the run in flight completes, the dispatcher's timers stop (before the connections close). */
  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.inFlight.catch(() => undefined);
    await this.dispatcher.close();
  }

  /** One planning run; returns the schedule published. */
  async run(trigger: PlanTrigger): Promise<Schedule> {
    const now = this.deps.clock.now();
    const startedMs = performance.now();
    const observations = await this.observe(now);
    const observedMs = performance.now();
    const { input, excluded } = buildPlanInput(this.site, observations, now, {
      slotMinutes: this.deps.config.ILOT_PLAN_SLOT_MINUTES,
      horizonSlots: this.deps.config.ILOT_PLAN_HORIZON_SLOTS,
      cyclingCostEurPerKWh: this.deps.config.ILOT_CYCLING_COST_EUR_PER_KWH,
    });
    const outcome = await planAsync(input, this.deps.solver, { timeLimitMs: this.deps.config.ILOT_SOLVE_TIMEOUT_MS });
    const { schedule: chosen, kept } = keepLastValid(
      this.lastValid,
      outcome.schedule,
      now,
      this.deps.config.ILOT_PLAN_KEEP_S * 1000,
    );
    const lease = this.lease && { holder: this.lease.holder, token: this.lease.token };
    const schedule: Schedule = { ...chosen, staleInputs: excluded, ...(lease ? { lease } : {}) };
    if (schedule.status !== 'fallback' && !kept) this.lastValid = schedule;
    const elapsedS = (outcome.buildMs + outcome.solveMs + outcome.decodeMs) / 1000;
    this.deps.metrics.solveSeconds.observe({ site: this.site.id, solver: outcome.schedule.solver }, elapsedS);
    this.deps.metrics.runs.inc({ site: this.site.id, status: kept ? 'kept' : schedule.status });
    if (schedule.reason) this.logger.warn(`${kept ? 'last valid plan kept' : 'fallback plan'}: ${schedule.reason}`);
    this.reportExcluded(excluded);
    // Fencing: a planner whose lease passed to another instance (paused, cut off) publishes and commands nothing.
    if (this.lease && !(await this.lease.isCurrent())) {
      this.logger.warn(`lease ${this.lease.token} on ${this.site.id} is no longer current: plan dropped`);
      return schedule;
    }
    const plannedMs = performance.now();
    const commands = await this.publish(schedule, input, now, outcome.solveMs);
    this.lastTimings = {
      observeMs: observedMs - startedMs,
      planMs: plannedMs - observedMs,
      publishMs: performance.now() - plannedMs,
    };
    const period = priceAt(now, this.site.tariff, this.site.timezone, undefined, this.site.priceSeries).period;
    this.logger.log(
      `${trigger.cause}: ${planSummary(schedule, input, { period, commands: commands.length, elapsedMs: elapsedS * 1000 })}`,
    );
    return schedule;
  }

  /** Stores the plan, publishes it retained and sends the commands the one command policy asks; returns them. */
  private async publish(schedule: Schedule, input: PlanInput, now: Date, solveMs: number) {
    const planId = await this.deps.plans.insert({
      siteId: this.site.id,
      generatedAt: now,
      status: schedule.status,
      solver: schedule.solver,
      objectiveEur: schedule.objectiveEur,
      solveMs,
      document: schedule,
    });
    await this.deps.mqtt.publishAsync(topics.schedule(this.site.id), JSON.stringify(schedule), {
      qos: 1,
      retain: true,
    });
    const commands = commandsToSend(schedule, input, (id) => this.dispatcher.currentCommand(id), {
      now,
      graceMs: this.deps.config.ILOT_COMMAND_GRACE_S * 1000,
      importLimitW: contractedImportW(now, this.site),
      newId: randomUUID,
    });
    // Under a lease, every command carries its fencing token: a controller refuses one older than it has applied.
    const leaseToken = schedule.lease?.token;
    for (const { deviceId, command } of commands)
      await this.dispatcher.dispatch(deviceId, leaseToken ? { ...command, leaseToken } : command, planId);
    return commands;
  }

  /** The devices left out of the plan, said once when they change (grouped by why), not at every plan. */
  private reportExcluded(excluded: readonly string[]): void {
    const key = excluded.map((e) => e.split(':')[0]).join(',');
    if (key === this.excludedKey) return;
    this.excludedKey = key;
    if (excluded.length) this.logger.warn(describeExcluded(excluded, this.deviceIds.length));
    else this.logger.log('every device is in the plan again');
    this.logger.debug(`left out of the plan: ${excluded.join('; ')}`);
  }

  private excludedKey = '';

  /** The month's highest 15-min import so far (local month), which a peak charge counts above; read only for tariffs that have one. */
  private async monthPeakImportW(now: Date, to: Date): Promise<number> {
    const monthStart = localMonthRange(localMonth(now, this.site.timezone), this.site.timezone).from;
    const buckets = await this.deps.readings.forDevice(this.site.id, this.gridId, monthStart, to, 15);
    return Math.max(0, ...buckets.map((b) => b.powerW));
  }

  /** The îlot's recent state from the database; stale and offline devices are left out, and `unavailable` says why. */
  private async observe(now: Date) {
    const defaultMaxAgeS = this.deps.config.ILOT_STATE_MAX_AGE_S;
    // A device heard from within the history window is stale when silent too long; one not heard from in it is silent.
    const historyTo = slotStart(now, this.deps.config.ILOT_PLAN_SLOT_MINUTES * MINUTE_MS);
    const historyFrom = new Date(historyTo.getTime() - HISTORY_MS);
    const [latestRows, offline, sessions] = await Promise.all([
      this.deps.readings.latestPerDevice(this.site.id, this.deviceIds, historyFrom, now),
      this.deps.statuses.offlineDevices(this.site.id),
      this.deps.readings.latestEvSessions(this.site.id, historyFrom),
    ]);
    const lastReadings = new Map(latestRows.map((r) => [r.deviceId, r]));
    const latest = new Map<string, (typeof latestRows)[number]>();
    const unavailable = new Map<string, string>();
    for (const device of electricDevices(this.site)) {
      const reading = lastReadings.get(device.id);
      const liveness = deviceLiveness(
        device,
        { lastReadingAt: reading?.ts, offlineSince: offline.get(device.id) },
        now,
        defaultMaxAgeS,
      );
      if (liveness.state === 'live') latest.set(device.id, reading!);
      else unavailable.set(device.id, describeLiveness(device.id, liveness, now));
    }
    const evSessions = freshEvSessions(this.site, sessions, latest, offline, now, defaultMaxAgeS);
    // The same history as the closed-loop replay (ilot simulate): 7 days of consumption and of PV, in slot means.
    const samples = (ids: string[]) =>
      this.deps.readings
        .bucketedSum(this.site.id, ids, historyFrom, historyTo, this.deps.config.ILOT_PLAN_SLOT_MINUTES)
        .then((rows) => rows.map((h) => ({ at: h.bucket, powerW: h.powerW })));
    // Signals in force over the horizon (Tempo days start at 06:00, so from a day back).
    const horizonEnd = new Date(
      historyTo.getTime() +
        this.deps.config.ILOT_PLAN_HORIZON_SLOTS * this.deps.config.ILOT_PLAN_SLOT_MINUTES * MINUTE_MS,
    );
    const [consumptionHistory, pvHistory, stored, monthPeakImportW, flexibleHistory, pvForecast] = await Promise.all([
      samples(this.consumerIds),
      samples(this.pvIds),
      this.deps.signals.overlapping(this.site.id, new Date(now.getTime() - DAY_MS), horizonEnd),
      peakChargeEurPerKW(this.site) ? this.monthPeakImportW(now, historyTo) : Promise.resolve(undefined),
      Promise.all(this.ownHistoryIds.map(async (id) => [id, await samples([id])] as const)).then(
        (entries) => new Map(entries),
      ),
      this.externalPvForecast(now, historyTo, horizonEnd),
    ]);
    const signals = planSignals(stored);
    // Each order is aimed at its contractual reference (the report's), made from the import net of storage.
    for (const order of signals.effacements) order.referenceW = await this.references.referenceMeanW(order);
    return {
      latest,
      unavailable,
      consumptionHistory,
      pvHistory,
      flexibleHistory,
      evSessions,
      signals,
      monthPeakImportW,
      ...(pvForecast ? { pvForecast } : {}),
    };
  }

  /** The newest fresh external PV forecast, from an hour before the first slot (a point covers until the next one). */
  private async externalPvForecast(now: Date, firstSlot: Date, horizonEnd: Date) {
    const stored = await this.deps.pvForecasts.newest(
      this.site.id,
      new Date(now.getTime() - EXTERNAL_PV_MAX_AGE_MS),
      new Date(firstSlot.getTime() - HOUR_MS),
      horizonEnd,
    );
    return stored && { ...stored, points: stored.points.map(({ ts, ...p }) => ({ ...p, at: ts })) };
  }
}

/** The chargers' sessions that count: the charger is live and its session as fresh as a reading must be. */
function freshEvSessions(
  site: Site,
  sessions: readonly StoredEvSession[],
  latest: ReadonlyMap<string, unknown>,
  offline: ReadonlyMap<string, Date>,
  now: Date,
  defaultMaxAgeS: number,
): Map<string, EvSession> {
  return new Map(
    sessions
      .filter(({ deviceId, ts }) => {
        const device = site.devices.get(deviceId);
        if (!device || !latest.has(deviceId)) return false;
        return (
          deviceLiveness(device, { lastReadingAt: ts, offlineSince: offline.get(deviceId) }, now, defaultMaxAgeS)
            .state === 'live'
        );
      })
      .map(({ deviceId, session }) => [deviceId, session]),
  );
}
