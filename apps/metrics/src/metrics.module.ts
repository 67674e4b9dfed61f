import { DynamicModule, Inject, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Clock } from '@ilot/domain';
import {
  repositoryProvider,
  effacementReferencesProvider,
  CLOCK,
  METRICS_REGISTRY,
  ReadinessRegistry,
  RUNTIME_CONFIG,
  SITE,
  type RuntimeConfig,
} from '@ilot/runtime';
import type { Site } from '@ilot/site';
import {
  AllocationShareRepository,
  PlanRepository,
  ReadingRepository,
  ResidentLedgerRepository,
  SignalRepository,
} from '@ilot/timeseries';
import type { DataSource } from 'typeorm';
import { Gauge, Registry } from 'prom-client';
import { AllocationController } from './allocation.controller';
import { ApiController } from './api.controller';
import { EffacementReportService } from './effacement-report.service';
import { RESIDENT_READER, ResidentReportService } from './resident-report.service';
import { apiDatabaseUrl, openResidentDatabase } from './resident-database';
import { LEDGER_INTERVAL_MS, ResidentLedgerJob } from './resident-ledger.job';
import { ResidentLedgerService } from './resident-ledger.service';
import { OPERATOR_TOKEN, OperatorGuard } from './operator.guard';
import { ReportAccessGuard } from './report-access.guard';
import { TOKEN_SECRET, ViewerResolver } from './viewer-resolver';
import { sharedWhileInFlight } from './shared-while-in-flight';
import type { MetricsConfig } from './metrics.config';
import { registerSiteGauges } from './site-gauges';

const METRICS_CONFIG = Symbol('METRICS_CONFIG');
const RESIDENT_DATA_SOURCE = Symbol('RESIDENT_DATA_SOURCE');
/** The ledger's step, s: its newest step ends this long after it starts. */
const LEDGER_STEP_S = 900;

/** Metrics: the îlot gauges on /metrics, the operator API and the residents' reports. */
@Module({})
export class MetricsModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(SITE) private readonly site: Site,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(METRICS_CONFIG) private readonly config: MetricsConfig,
    private readonly readings: ReadingRepository,
    private readonly effacements: EffacementReportService,
    private readonly residentLedger: ResidentLedgerRepository,
    @Inject(RESIDENT_DATA_SOURCE) private readonly residentDb: DataSource,
  ) {}

  static forRoot(config: MetricsConfig): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [ApiController, AllocationController],
      providers: [
        { provide: METRICS_CONFIG, useValue: config },
        { provide: OPERATOR_TOKEN, useValue: config.ILOT_OPERATOR_TOKEN },
        OperatorGuard,
        { provide: TOKEN_SECRET, useValue: config.ILOT_TOKEN_SECRET },
        ViewerResolver,
        ReportAccessGuard,
        repositoryProvider(ReadingRepository),
        repositoryProvider(PlanRepository),
        repositoryProvider(SignalRepository),
        effacementReferencesProvider,
        EffacementReportService,
        {
          provide: RESIDENT_DATA_SOURCE,
          useFactory: async (runtime: RuntimeConfig, readiness: ReadinessRegistry) => {
            const db = await openResidentDatabase(
              apiDatabaseUrl(runtime.ILOT_DATABASE_URL, config.ILOT_API_DATABASE_URL),
            );
            readiness.register('resident database', async () => (await db.query('SELECT 1 AS ok'))[0].ok === 1);
            return db;
          },
          inject: [RUNTIME_CONFIG, ReadinessRegistry],
        },
        {
          provide: RESIDENT_READER,
          useFactory: (db: DataSource) => new ResidentLedgerRepository(db),
          inject: [RESIDENT_DATA_SOURCE],
        },
        ResidentReportService,
        repositoryProvider(ResidentLedgerRepository),
        repositoryProvider(AllocationShareRepository),
        ResidentLedgerService,
        { provide: LEDGER_INTERVAL_MS, useValue: config.ILOT_LEDGER_INTERVAL_S * 1000 },
        ResidentLedgerJob,
      ],
    };
  }

  onModuleInit(): void {
    registerSiteGauges(this.registry, this.site, this.readings, this.clock, {
      maxAgeS: this.config.ILOT_METRICS_MAX_AGE_S,
      windowH: this.config.ILOT_METRICS_WINDOW_H,
    });
    const { effacements, site, clock, residentLedger } = this;
    const orders = sharedWhileInFlight(() => effacements.inProgress(clock.now()));
    new Gauge({
      name: 'ilot_effacement_delivered_watts',
      help: 'Reduction an effacement order in progress delivers now: the îlot reference (courbe de référence) minus the measured import of the latest 15-min slot, W',
      labelNames: ['site', 'event'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [event, { deliveredW }] of await orders())
          if (deliveredW !== undefined) this.set({ site: site.id, event }, deliveredW);
      },
    });
    new Gauge({
      name: 'ilot_effacement_asked_watts',
      help: 'Reduction an effacement order in progress asks, W (the alert compares the delivered one with it)',
      labelNames: ['site', 'event'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [event, { askedW }] of await orders()) this.set({ site: site.id, event }, askedW);
      },
    });
    new Gauge({
      name: 'ilot_resident_ledger_lag_seconds',
      help: 'How far the residents’ ledger (each participant’s allocated 15-min steps, what the reports read) is behind the îlot clock: now minus the end of its newest step, s',
      labelNames: ['site'],
      registers: [this.registry],
      async collect() {
        this.reset();
        const newest = await residentLedger.newestStep(site.id);
        if (newest) this.set({ site: site.id }, (clock.now().getTime() - newest.getTime()) / 1000 - LEDGER_STEP_S);
      },
    });
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.residentDb.isInitialized) await this.residentDb.destroy();
  }
}
