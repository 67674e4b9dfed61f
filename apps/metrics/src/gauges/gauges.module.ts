import { DynamicModule, Inject, Module, OnModuleInit } from '@nestjs/common';
import type { Clock } from '@ilot/domain';
import { CLOCK, METRICS_REGISTRY } from '@ilot/runtime';
import { AccRepository, ReadingRepository, ResidentLedgerRepository } from '@ilot/timeseries';
import type { Registry } from 'prom-client';
import { METRICS_CONFIG, type MetricsConfig } from '../metrics.config';
import { SiteScopes } from '@ilot/residents';
import { registerOperationsGauges } from './operations-gauges';
import { registerSiteGauges } from './site-gauges';

/** The gauges of every îlot served on /metrics (labelled `site`), read from the database at each scrape. */
@Module({})
export class GaugesModule implements OnModuleInit {
  constructor(
    @Inject(METRICS_REGISTRY) private readonly registry: Registry,
    private readonly scopes: SiteScopes,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(METRICS_CONFIG) private readonly config: MetricsConfig,
    private readonly readings: ReadingRepository,
    private readonly residentLedger: ResidentLedgerRepository,
    private readonly acc: AccRepository,
  ) {}

  static register(config: MetricsConfig, shared: DynamicModule): DynamicModule {
    return { module: GaugesModule, imports: [shared], providers: [{ provide: METRICS_CONFIG, useValue: config }] };
  }

  onModuleInit(): void {
    const sites = () => this.scopes.all().map((scope) => scope.site);
    registerSiteGauges(this.registry, sites, this.readings, this.clock, {
      maxAgeS: this.config.ILOT_METRICS_MAX_AGE_S,
      windowH: this.config.ILOT_METRICS_WINDOW_H,
    });
    registerOperationsGauges(this.registry, () => this.scopes.all(), this.clock, this.residentLedger, this.acc);
  }
}
