import { DynamicModule, Inject, Module, OnModuleInit } from '@nestjs/common';
import type { Clock } from '@ilot/domain';
import { EffacementReportService } from '@ilot/residents';
import { CLOCK, METRICS_REGISTRY, SITE } from '@ilot/runtime';
import type { Site } from '@ilot/site';
import { ReadingRepository, ResidentLedgerRepository } from '@ilot/timeseries';
import type { Registry } from 'prom-client';
import type { MetricsConfig } from '../metrics.config';
import { METRICS_CONFIG } from '../residents.module';
import { registerOperationsGauges } from './operations-gauges';
import { registerSiteGauges } from './site-gauges';

/** The îlot gauges on /metrics, read from the database at each scrape. */
@Module({})
export class GaugesModule implements OnModuleInit {
  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    @Inject(SITE) private readonly site: Site,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(METRICS_CONFIG) private readonly config: MetricsConfig,
    private readonly readings: ReadingRepository,
    private readonly effacements: EffacementReportService,
    private readonly residentLedger: ResidentLedgerRepository,
  ) {}

  static register(shared: DynamicModule): DynamicModule {
    return { module: GaugesModule, imports: [shared] };
  }

  onModuleInit(): void {
    registerSiteGauges(this.registry, this.site, this.readings, this.clock, {
      maxAgeS: this.config.ILOT_METRICS_MAX_AGE_S,
      windowH: this.config.ILOT_METRICS_WINDOW_H,
    });
    registerOperationsGauges(this.registry, this.site, this.clock, this.effacements, this.residentLedger);
  }
}
