import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
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
  Schedule,
} from '@ilot/optimiser';
import { CLOCK, SITE } from '@ilot/runtime';
import { describeLiveness, deviceLiveness, devicesOfKind, gridDeviceId, sheddableLoads, Site } from '@ilot/site';
import {
  DeviceStatusRepository,
  PlanRepository,
  ReadingRepository,
  PvForecastRepository,
  SignalRepository,
  type StoredEvSession,
} from '@ilot/timeseries';
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { catchError, defer, EMPTY, exhaustMap, filter, Subscription } from 'rxjs';
import { CommandDispatcher } from './command-dispatcher';
import { EffacementReferences } from '@ilot/timeseries';
import type { OptimiserConfig } from './optimiser.config';
import { OptimiserMetrics } from './optimiser.metrics';
import { LP_SOLVER, OPTIMISER_CONFIG, OPTIMISER_MQTT } from './optimiser.tokens';
import { planTriggers, PlanTrigger } from './plan-triggers';
import type { WorkerLpSolver } from './worker-lp-solver';
import { planSignals } from './plan-signals';
import { SiteChangesAdapter } from './site-changes.adapter';

/**
 * The RxJS planning loop: triggers -> read the îlot's state -> plan -> publish schedule and
 * commands. One run at a time (exhaustMap: a trigger that arrives during a run is dropped, the
 * next one plans with newer data); an error ends the run, never the loop.
 */
@Injectable()
export class PlanningLoopService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('PlanningLoop');
  private subscription: Subscription | undefined;
  private readonly consumerIds: string[];
  private readonly pvIds: string[];
  private readonly deviceIds: string[];
  private readonly gridId: string;
  private readonly ownHistoryIds: string[];
  /** The last optimal or feasible plan, kept while the solver gives none (ILOT_PLAN_KEEP_S). */
  private lastValid: Schedule | undefined;
  /** The run in flight, awaited at shutdown so that it never writes to a closed pool. */
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(SITE) private readonly site: Site,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(OPTIMISER_CONFIG) private readonly config: OptimiserConfig,
    @Inject(OPTIMISER_MQTT) private readonly mqtt: MqttClient,
    @Inject(LP_SOLVER) private readonly solver: WorkerLpSolver,
    private readonly readings: ReadingRepository,
    private readonly statuses: DeviceStatusRepository,
    private readonly plans: PlanRepository,
    private readonly dispatcher: CommandDispatcher,
    private readonly changes: SiteChangesAdapter,
    private readonly signals: SignalRepository,
    private readonly pvForecasts: PvForecastRepository,
    private readonly metrics: OptimiserMetrics,
    private readonly references: EffacementReferences,
  ) {
    this.consumerIds = [...site.devices.values()].filter((d) => CONSUMING_KINDS.has(d.kind)).map((d) => d.id);
    this.pvIds = devicesOfKind(site, 'pv').map((d) => d.id);
    this.deviceIds = [...site.devices.keys()];
    this.gridId = gridDeviceId(site);
    // Each sheddable load's history is its baseline; each charger's its habit (what the plan takes over when plugged).
    this.ownHistoryIds = [...sheddableLoads(site), ...devicesOfKind(site, 'ev_charger')].map((d) => d.id);
  }

  async onModuleInit(): Promise<void> {
    await this.dispatcher.start();
    await this.changes.start();
    const slotMs = this.config.ILOT_PLAN_SLOT_MINUTES * MINUTE_MS;
    const triggers$ = planTriggers(this.changes.changes$.pipe(filter((c) => c.site === this.site.id)), {
      periodMs: slotMs / this.clock.speedup,
      minIntervalMs: (this.config.ILOT_REPLAN_MIN_INTERVAL_S * 1000) / this.clock.speedup,
    });
    this.subscription = triggers$
      .pipe(
        exhaustMap((trigger) =>
          defer(() => (this.inFlight = this.run(trigger))).pipe(
            catchError((error: Error) => {
              this.metrics.runs.inc({ site: this.site.id, status: 'error' });
              this.logger.error(`planning run failed: ${error.message}`);
              return EMPTY;
            }),
          ),
        ),
      )
      .subscribe();
  }

  /** Stops planning before the database and broker connections close (they close on onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    this.subscription?.unsubscribe();
    await this.inFlight.catch(() => undefined);
    await this.changes.stop();
    await this.solver.close();
    await this.dispatcher.close();
    await this.mqtt.endAsync();
  }

  /** One planning run; returns the schedule published. */
  async run(trigger: PlanTrigger): Promise<Schedule> {
    const now = this.clock.now();
    const observations = await this.observe(now);
    const { input, excluded } = buildPlanInput(this.site, observations, now, {
      slotMinutes: this.config.ILOT_PLAN_SLOT_MINUTES,
      horizonSlots: this.config.ILOT_PLAN_HORIZON_SLOTS,
      cyclingCostEurPerKWh: this.config.ILOT_CYCLING_COST_EUR_PER_KWH,
    });
    const outcome = await planAsync(input, this.solver, { timeLimitMs: this.config.ILOT_SOLVE_TIMEOUT_MS });
    const { schedule: chosen, kept } = keepLastValid(
      this.lastValid,
      outcome.schedule,
      now,
      this.config.ILOT_PLAN_KEEP_S * 1000,
    );
    const schedule = { ...chosen, staleInputs: excluded };
    if (schedule.status !== 'fallback' && !kept) this.lastValid = schedule;
    const elapsedS = (outcome.buildMs + outcome.solveMs + outcome.decodeMs) / 1000;
    this.metrics.solveSeconds.observe({ site: this.site.id, solver: outcome.schedule.solver }, elapsedS);
    this.metrics.runs.inc({ site: this.site.id, status: kept ? 'kept' : schedule.status });
    if (schedule.reason) this.logger.warn(`${kept ? 'last valid plan kept' : 'fallback plan'}: ${schedule.reason}`);
    this.reportExcluded(excluded);

    const planId = await this.plans.insert({
      siteId: this.site.id,
      generatedAt: now,
      status: schedule.status,
      solver: schedule.solver,
      objectiveEur: schedule.objectiveEur,
      solveMs: outcome.solveMs,
      document: schedule,
    });
    await this.mqtt.publishAsync(topics.schedule(this.site.id), JSON.stringify(schedule), { qos: 1, retain: true });
    const commands = commandsToSend(schedule, input, (id) => this.dispatcher.currentCommand(id), {
      now,
      graceMs: this.config.ILOT_COMMAND_GRACE_S * 1000,
      importLimitW: contractedImportW(now, this.site),
      newId: randomUUID,
    });
    for (const { deviceId, command } of commands) await this.dispatcher.dispatch(deviceId, command, planId);
    const period = priceAt(now, this.site.tariff, this.site.timezone, undefined, this.site.priceSeries).period;
    this.logger.log(
      `${trigger.cause}: ${planSummary(schedule, input, { period, commands: commands.length, elapsedMs: elapsedS * 1000 })}`,
    );
    return schedule;
  }

  /** The devices left out of the plan, said once when they change (grouped by why), not at every plan. */
  private reportExcluded(excluded: readonly string[]): void {
    const key = excluded.map((e) => e.split(':')[0]).join(',');
    if (key === this.excludedKey) return;
    this.excludedKey = key;
    if (excluded.length) this.logger.warn(describeExcluded(excluded, this.site.devices.size));
    else this.logger.log('every device is in the plan again');
    this.logger.debug(`left out of the plan: ${excluded.join('; ')}`);
  }

  private excludedKey = '';

  /** The month's highest 15-min import so far (local month), which a peak charge counts above; read only for tariffs that have one. */
  private async monthPeakImportW(now: Date, to: Date): Promise<number> {
    const monthStart = localMonthRange(localMonth(now, this.site.timezone), this.site.timezone).from;
    const buckets = await this.readings.forDevice(this.site.id, this.gridId, monthStart, to, 15);
    return Math.max(0, ...buckets.map((b) => b.powerW));
  }

  /** The îlot's recent state from the database; stale and offline devices are left out, and `unavailable` says why. */
  private async observe(now: Date) {
    const defaultMaxAgeS = this.config.ILOT_STATE_MAX_AGE_S;
    // A device heard from within the history window is stale when silent too long; one not heard from in it is silent.
    const historyTo = slotStart(now, this.config.ILOT_PLAN_SLOT_MINUTES * MINUTE_MS);
    const historyFrom = new Date(historyTo.getTime() - HISTORY_MS);
    const [latestRows, offline, sessions] = await Promise.all([
      this.readings.latestPerDevice(this.site.id, this.deviceIds, historyFrom, now),
      this.statuses.offlineDevices(this.site.id),
      this.readings.latestEvSessions(this.site.id, historyFrom),
    ]);
    const lastReadings = new Map(latestRows.map((r) => [r.deviceId, r]));
    const latest = new Map<string, (typeof latestRows)[number]>();
    const unavailable = new Map<string, string>();
    for (const device of this.site.devices.values()) {
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
      this.readings
        .bucketedSum(this.site.id, ids, historyFrom, historyTo, this.config.ILOT_PLAN_SLOT_MINUTES)
        .then((rows) => rows.map((h) => ({ at: h.bucket, powerW: h.powerW })));
    // Signals in force over the horizon (Tempo days start at 06:00, so from a day back).
    const horizonEnd = new Date(
      historyTo.getTime() + this.config.ILOT_PLAN_HORIZON_SLOTS * this.config.ILOT_PLAN_SLOT_MINUTES * MINUTE_MS,
    );
    const [consumptionHistory, pvHistory, stored, monthPeakImportW, flexibleHistory, pvForecast] = await Promise.all([
      samples(this.consumerIds),
      samples(this.pvIds),
      this.signals.overlapping(this.site.id, new Date(now.getTime() - DAY_MS), horizonEnd),
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
    const stored = await this.pvForecasts.newest(
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
