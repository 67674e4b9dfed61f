import { DynamicModule, Inject, Module, OnModuleInit } from '@nestjs/common';
import type { Clock } from '@ilot/domain';
import { repositoryProvider, effacementReferencesProvider, CLOCK, METRICS_REGISTRY, SITE } from '@ilot/runtime';
import type { Site } from '@ilot/site';
import { PlanRepository, ReadingRepository, SignalRepository } from '@ilot/timeseries';
import { Gauge, Registry } from 'prom-client';
import { ApiController } from './api.controller';
import { EffacementReportService } from './effacement-report.service';
import { ResidentReportService } from './resident-report.service';
import { OPERATOR_TOKEN, OperatorGuard } from './operator.guard';
import { ReportAccessGuard, TOKEN_SECRET } from './report-access.guard';
import { sharedWhileInFlight } from './shared-while-in-flight';
import type { MetricsConfig } from './metrics.config';
import { registerSiteGauges } from './site-gauges';

const METRICS_CONFIG = Symbol('METRICS_CONFIG');

/** Metrics: the îlot gauges on /metrics and the operator API. */
@Module({})
export class MetricsModule implements OnModuleInit {
  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(SITE) private readonly site: Site,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(METRICS_CONFIG) private readonly config: MetricsConfig,
    private readonly readings: ReadingRepository,
    private readonly effacements: EffacementReportService,
  ) {}

  static forRoot(config: MetricsConfig): DynamicModule {
    return {
      module: MetricsModule,
      controllers: [ApiController],
      providers: [
        { provide: METRICS_CONFIG, useValue: config },
        { provide: OPERATOR_TOKEN, useValue: config.ILOT_OPERATOR_TOKEN },
        OperatorGuard,
        { provide: TOKEN_SECRET, useValue: config.ILOT_TOKEN_SECRET },
        ReportAccessGuard,
        repositoryProvider(ReadingRepository),
        repositoryProvider(PlanRepository),
        repositoryProvider(SignalRepository),
        effacementReferencesProvider,
        EffacementReportService,
        ResidentReportService,
      ],
    };
  }

  onModuleInit(): void {
    registerSiteGauges(this.registry, this.site, this.readings, this.clock, {
      maxAgeS: this.config.ILOT_METRICS_MAX_AGE_S,
      windowH: this.config.ILOT_METRICS_WINDOW_H,
    });
    const { effacements, site, clock } = this;
    const orders = sharedWhileInFlight(() => effacements.inProgress(clock.now()));
    new Gauge({
      name: 'ilot_effacement_delivered_watts',
      help: 'Reduction an effacement order in progress delivers now: the îlot reference (courbe de référence) minus the measured import of the latest 15-min slot, W',
      labelNames: ['site', 'event'],
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const [event, { deliveredW }] of await orders()) if (deliveredW !== undefined) this.set({ site: site.id, event }, deliveredW);
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
  }
}
