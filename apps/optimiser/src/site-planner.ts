import { Logger } from '@nestjs/common';
import { Clock, MINUTE_MS } from '@ilot/domain';
import { priceAt } from '@ilot/tariffs';
import { topics } from '@ilot/protocol';
import { describeExcluded, planStepAsync, type PlanStep, planSummary, Schedule } from '@ilot/optimiser';
import type { HeldLease } from '@ilot/timeseries';
import { electricDevices, Site } from '@ilot/site';
import {
  DeviceStatusRepository,
  PlanRepository,
  ReadingRepository,
  PvForecastRepository,
  WeatherForecastRepository,
  SignalRepository,
} from '@ilot/timeseries';
import { randomUUID } from 'node:crypto';
import type { MqttClient } from 'mqtt';
import { catchError, defer, EMPTY, exhaustMap, filter, Subscription } from 'rxjs';
import type { CommandDispatcher } from './command-dispatcher';
import type { OptimiserConfig } from './optimiser.config';
import type { OptimiserMetrics } from './optimiser.metrics';
import { planTriggers, PlanTrigger } from './plan-triggers';
import type { SolverPool } from './solver-pool';
import type { SiteChangesAdapter } from '@ilot/runtime';
import { SiteObserver } from './site-observer';
import { PvForecastFetcher } from './weather/pv-forecast-fetcher';

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
  weatherForecasts: WeatherForecastRepository;
  metrics: OptimiserMetrics;
  /** A command dispatcher for a site (its acks, retries, verification). */
  dispatcherFor(site: Site): CommandDispatcher;
  /** Solcast's API key, for the sites whose forecast names Solcast. */
  solcastApiKey?: string;
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
  private readonly deviceIds: string[];
  private readonly dispatcher: CommandDispatcher;
  /** Reads the îlot's state before each plan. */
  /** Its observer (and its history cache): read-only outside, for the bench's check. */
  readonly observer: SiteObserver;
  /** Asks the site's weather providers for its PV forecast (when its site file names any). */
  private readonly weather: PvForecastFetcher;
  /** The last optimal or feasible plan, kept while the solver gives none (ILOT_PLAN_KEEP_S). */
  private lastValid: Schedule | undefined;
  /**
   * Where the last run's time went, real ms: reading the state, planning (the plan's input with its forecasts, then the
   * LP's build, solve with its wait for a thread, decode), storing and sending.
   */
  lastTimings = { observeMs: 0, planMs: 0, publishMs: 0, modelBuildMs: 0, solveMs: 0, decodeMs: 0 };
  /** The run in flight, awaited at stop so that it never writes to a closed pool. */
  private inFlight: Promise<unknown> = Promise.resolve();

  constructor(
    readonly site: Site,
    private readonly deps: PlannerDeps,
    /** The lease this planner plans under (many îlots), and how to tell it is still current. */
    private readonly lease?: HeldLease & { holder: string; isCurrent: () => Promise<boolean> },
  ) {
    this.logger = new Logger(lease ? `PlanningLoop ${site.id}` : 'PlanningLoop');
    this.deviceIds = electricDevices(site).map((d) => d.id);
    this.dispatcher = deps.dispatcherFor(site);
    this.observer = new SiteObserver(site, deps, deps.config);
    this.weather = new PvForecastFetcher(site, deps);
  }

  /** The fencing token this planner plans under (undefined for the one site of ILOT_SITE_FILE). */
  get leaseToken(): number | undefined {
    return this.lease?.token;
  }

  async start(): Promise<void> {
    await this.dispatcher.start();
    this.weather.start();
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
    await this.weather.stop();
    await this.inFlight.catch(() => undefined);
    await this.dispatcher.close();
  }

  /** One planning run; returns the schedule published. */
  async run(trigger: PlanTrigger): Promise<Schedule> {
    const { clock, config, solver, metrics } = this.deps;
    const now = clock.now();
    const startedMs = performance.now();
    const observations = await this.observer.observe(now);
    const observedMs = performance.now();
    const step = await planStepAsync(
      {
        site: this.site,
        observations,
        now,
        settings: {
          slotMinutes: config.ILOT_PLAN_SLOT_MINUTES,
          horizonSlots: config.ILOT_PLAN_HORIZON_SLOTS,
          cyclingCostEurPerKWh: config.ILOT_CYCLING_COST_EUR_PER_KWH,
          keepMs: config.ILOT_PLAN_KEEP_S * 1000,
          graceMs: config.ILOT_COMMAND_GRACE_S * 1000,
        },
        lastValid: this.lastValid,
        current: (id) => this.dispatcher.currentCommand(id),
        newId: randomUUID,
        ...(this.lease ? { lease: { holder: this.lease.holder, token: this.lease.token } } : {}),
      },
      solver,
      { timeLimitMs: config.ILOT_SOLVE_TIMEOUT_MS },
    );
    const { schedule, kept, outcome } = step;
    this.lastValid = step.lastValid;
    const elapsedS = (outcome.buildMs + outcome.solveMs + outcome.decodeMs) / 1000;
    metrics.solveSeconds.observe({ site: this.site.id, solver: outcome.schedule.solver }, elapsedS);
    metrics.runs.inc({ site: this.site.id, status: kept ? 'kept' : schedule.status });
    if (schedule.reason) this.logger.warn(`${kept ? 'last valid plan kept' : 'fallback plan'}: ${schedule.reason}`);
    this.reportExcluded(step.excluded);
    // Fencing: a planner whose lease passed to another instance (paused, cut off) publishes and commands nothing.
    if (this.lease && !(await this.lease.isCurrent())) {
      this.logger.warn(`lease ${this.lease.token} on ${this.site.id} is no longer current: plan dropped`);
      return schedule;
    }
    const plannedMs = performance.now();
    await this.publish(step, now);
    this.lastTimings = {
      observeMs: observedMs - startedMs,
      planMs: plannedMs - observedMs,
      publishMs: performance.now() - plannedMs,
      modelBuildMs: outcome.buildMs,
      solveMs: outcome.solveMs,
      decodeMs: outcome.decodeMs,
    };
    const period = priceAt(now, this.site.tariff, this.site.timezone, undefined, this.site.priceSeries).period;
    this.logger.log(
      `${trigger.cause}: ${planSummary(schedule, step.input, { period, commands: step.commands.length, elapsedMs: elapsedS * 1000 })}`,
    );
    return schedule;
  }

  /**
   * The plan and its commands stored together (one outbox: `insertWithCommands`), then the plan published retained
   * and the commands sent. Nothing is published before both are stored.
   */
  private async publish({ schedule, outcome, commands }: PlanStep, now: Date): Promise<void> {
    await this.deps.plans.insertWithCommands(
      {
        siteId: this.site.id,
        generatedAt: now,
        status: schedule.status,
        solver: schedule.solver,
        objectiveEur: schedule.objectiveEur,
        solveMs: outcome.solveMs,
        document: schedule,
      },
      commands,
    );
    await this.deps.mqtt.publishAsync(topics.schedule(this.site.id), JSON.stringify(schedule), {
      qos: 1,
      retain: true,
    });
    for (const { deviceId, command } of commands) await this.dispatcher.send(deviceId, command);
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
}
