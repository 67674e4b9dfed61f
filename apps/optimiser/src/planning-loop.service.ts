import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { type Clock, ScaledClock } from '@ilot/domain';
import { CLOCK, RUNTIME_CONFIG, type RuntimeConfig, SITE, SiteCatalog, SiteLeaseKeeper } from '@ilot/runtime';
import type { Site } from '@ilot/site';
import {
  DeviceStatusRepository,
  PlanRepository,
  PvForecastRepository,
  WeatherForecastRepository,
  ReadingRepository,
  SignalRepository,
  type SiteLeaseRepository,
} from '@ilot/timeseries';
import type { MqttClient } from 'mqtt';
import { hostname } from 'node:os';
import { CommandDispatcher } from './command-dispatcher';
import { type OptimiserConfig, solcastApiKey } from './optimiser.config';
import { OptimiserMetrics } from './optimiser.metrics';
import { DISPATCHER_FOR, LP_SOLVER, OPTIMISER_CONFIG, OPTIMISER_MQTT } from './optimiser.tokens';
import { LeaseDatabase } from './lease-database';
import { type HeartbeatReport, LeaseHeartbeat } from './lease-heartbeat';
import { PlannerSet } from './planner-set';
import { type PlannerDeps, SitePlanner } from './site-planner';
import { SiteChangesAdapter } from '@ilot/runtime';
import type { SolverPool } from './solver-pool';

/** The heartbeat thread waits at least this long (real ms) for a silent planning thread before its leases lapse. */
const MIN_SILENCE_MS = 30_000;

/**
 * The optimiser's planners. One site (`ILOT_SITE_FILE`): one planner, always. Many îlots (`ILOT_SITES_DIR`, issue 14):
 * the planner instances share the sites of the catalog through leases in PostgreSQL (SiteLeaseKeeper, ticking a few
 * times per lease period): this instance plans exactly the sites it holds, starts a planner when it gains one, stops
 * it when it loses or hands one back, and hands all back at shutdown.
 */
@Injectable()
export class PlanningLoopService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Planning');
  private readonly deps: PlannerDeps;
  /** The planners running, by site, with the fingerprint of the site definition they plan (a change restarts one). */
  private readonly planners = new PlannerSet<SitePlanner>();
  private keeper: SiteLeaseKeeper | undefined;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> = Promise.resolve();
  /** Undefined: no round running; false: one running; true: one running and another due after it. */
  private tickAgain: boolean | undefined;
  /** The leases' heartbeat thread (many îlots). */
  private heartbeat: LeaseHeartbeat | undefined;
  /** The leases' repository, on connections of its own (LeaseDatabase). */
  private readonly leases: SiteLeaseRepository;

  constructor(
    @Inject(SITE) private readonly site: Site,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(RUNTIME_CONFIG) private readonly runtime: RuntimeConfig,
    @Inject(OPTIMISER_CONFIG) private readonly config: OptimiserConfig,
    @Inject(OPTIMISER_MQTT) private readonly mqtt: MqttClient,
    @Inject(LP_SOLVER) private readonly solver: SolverPool,
    @Inject(DISPATCHER_FOR) dispatcherFor: (site: Site) => CommandDispatcher,
    private readonly catalog: SiteCatalog,
    private readonly leaseDatabase: LeaseDatabase,
    private readonly changes: SiteChangesAdapter,
    readings: ReadingRepository,
    statuses: DeviceStatusRepository,
    plans: PlanRepository,
    signals: SignalRepository,
    pvForecasts: PvForecastRepository,
    weatherForecasts: WeatherForecastRepository,
    metrics: OptimiserMetrics,
  ) {
    this.leases = leaseDatabase.repository;
    this.deps = {
      clock,
      config,
      mqtt,
      solver,
      readings,
      statuses,
      plans,
      changes,
      signals,
      pvForecasts,
      weatherForecasts,
      metrics,
      dispatcherFor,
      solcastApiKey: solcastApiKey(config),
    };
  }

  async onModuleInit(): Promise<void> {
    await this.changes.start();
    if (!this.runtime.ILOT_SITES_DIR) {
      const failed = await this.planners.reconcile(
        new Map([
          [
            this.site.id,
            { token: undefined, fingerprint: 'fixed', create: () => new SitePlanner(this.site, this.deps) },
          ],
        ]),
      );
      for (const error of failed.values()) throw error;
      return;
    }
    const holder = this.config.ILOT_PLANNER_ID ?? `${hostname()}-${process.pid}`;
    const ttlMs = this.config.ILOT_LEASE_TTL_S * 1000;
    const keeper = new SiteLeaseKeeper(this.leases, holder, ttlMs);
    this.keeper = keeper;
    this.logger.log(`planner ${holder}: sharing the sites of the catalog, leases of ${this.config.ILOT_LEASE_TTL_S} s`);
    const leaseRealMs = ttlMs / this.clock.speedup;
    this.heartbeat = new LeaseHeartbeat(
      {
        url: this.runtime.ILOT_DATABASE_URL,
        holder,
        ttlMs,
        everyMs: leaseRealMs / 3,
        maxSilenceMs: Math.max(3 * leaseRealMs, MIN_SILENCE_MS),
        ...(this.clock instanceof ScaledClock
          ? {
              clock: {
                originRealMs: this.clock.originRealMs,
                originSimMs: this.clock.originSimMs,
                speedup: this.clock.speedup,
              },
            }
          : {}),
      },
      (report) => this.heard(report, leaseRealMs),
    );
    await this.tick();
    // A third of the lease period in real time: the rounds (the heartbeat thread renews between them, on its own
    // timer). A round still running when the next is due is followed by one more, never by a queue of them.
    this.timer = setInterval(() => {
      this.heartbeat?.hold([...keeper.held().keys()]);
      this.requestTick();
    }, leaseRealMs / 3);
  }

  /** A renewal's outcome from the heartbeat thread: timed, and said when later than a third of the lease or failed. */
  private heard(report: HeartbeatReport, leaseRealMs: number): void {
    if ('tookMs' in report) {
      this.deps.metrics.leaseRenewSeconds.observe(report.tookMs / 1000);
      if (report.tookMs > leaseRealMs / 3)
        this.logger.warn(
          `leases renewed ${(report.tookMs / 1000).toFixed(2)} s after due (timer late ${(report.timerLateMs / 1000).toFixed(2)} s; the lease lasts ${(leaseRealMs / 1000).toFixed(2)} s real)`,
        );
    } else if ('error' in report) this.logger.warn(`leases not renewed: ${report.error}`);
    else if ('silentMs' in report)
      this.logger.error(
        `leases not renewed: the planning thread has said nothing for ${(report.silentMs / 1000).toFixed(1)} s (stuck): they lapse`,
      );
  }

  private requestTick(): void {
    if (this.tickAgain !== undefined) {
      this.tickAgain = true;
      return;
    }
    this.tickAgain = false;
    this.ticking = (async () => {
      do {
        this.tickAgain = false;
        await this.tick();
      } while (this.tickAgain);
      this.tickAgain = undefined;
    })();
  }

  /** The sites this instance plans now. */
  plannedSites(): string[] {
    return this.planners.sites();
  }

  /** One round of the leases: planners started for the sites gained, stopped for those lost or handed back. */
  private async tick(): Promise<void> {
    const keeper = this.keeper!;
    try {
      const entries = new Map(this.catalog.sites().map((e) => [e.site.id, e]));
      const held = await keeper.tick([...entries.keys()], this.clock.now(), (siteId) => this.planners.stop(siteId));
      const wanted = new Map(
        [...held].map(([siteId, lease]) => {
          const { site, fingerprint } = entries.get(siteId)!;
          const isCurrent = () => this.leases.isCurrent(siteId, lease.token);
          const create = () => new SitePlanner(site, this.deps, { ...lease, holder: keeper.holder, isCurrent });
          return [siteId, { token: lease.token, fingerprint, create }];
        }),
      );
      this.heartbeat?.hold([...held.keys()]);
      const failed = await this.planners.reconcile(wanted);
      for (const [siteId, error] of failed)
        this.logger.warn(`planner of ${siteId} did not start (tried again next round): ${error.message}`);
    } catch (error) {
      this.logger.error(`lease round failed (the leases held run until they expire): ${(error as Error).message}`);
    }
  }

  /** Stops planning before the database and broker connections close (they close on onApplicationShutdown). */
  async beforeApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.ticking;
    await this.planners.stopAll();
    await this.heartbeat?.stop();
    await this.keeper
      ?.releaseAll()
      .catch((error: Error) => this.logger.warn(`leases not handed back: ${error.message}`));
    await this.leaseDatabase.close();
    await this.changes.stop();
    await this.solver.close();
    await this.mqtt.endAsync();
  }
}
