import { DynamicModule, Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { loadSiteFile, Site } from '@ilot/site';
import { detectStorageMode, openDatabase, SiteDefinitionRepository } from '@ilot/timeseries';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { clockFromConfig } from './clock.factory';
import type { RuntimeConfig } from './config';
import { HealthController } from './health.controller';
import { ReadinessRegistry } from './readiness.registry';
import { SiteCatalog } from './site-catalog';
import { CLOCK, DATA_SOURCE, METRICS_REGISTRY, RUNTIME_CONFIG, SITE } from './tokens';

/**
 * What every app of a process shares: config, clock, site, database, metrics registry,
 * `/healthz`, `/readyz`, `/metrics`. Imported once, by the root module of a process.
 */
@Global()
@Module({})
export class RuntimeModule implements OnApplicationShutdown {
  private readonly logger = new Logger('Runtime');
  constructor(
    @Inject(DATA_SOURCE) private readonly dataSource: DataSource,
    private readonly catalog: SiteCatalog,
  ) {}

  /** `site`: the site already loaded by the caller (validated before Nest starts); read from ILOT_SITE_FILE otherwise. */
  static forRoot(config: RuntimeConfig, site: Site = loadSiteFile(config.ILOT_SITE_FILE)): DynamicModule {
    return {
      module: RuntimeModule,
      controllers: [HealthController],
      providers: [
        { provide: RUNTIME_CONFIG, useValue: config },
        { provide: CLOCK, useValue: clockFromConfig(config) },
        { provide: SITE, useValue: site },
        {
          provide: METRICS_REGISTRY,
          useFactory: () => {
            const registry = new Registry();
            collectDefaultMetrics({ register: registry });
            // prom-client names these three gauges `_total`, a counter's suffix (promtool check metrics says so); dropped.
            for (const name of [
              'nodejs_active_handles_total',
              'nodejs_active_requests_total',
              'nodejs_active_resources_total',
            ])
              registry.removeSingleMetric(name);
            return registry;
          },
        },
        {
          provide: DATA_SOURCE,
          useFactory: async (readiness: ReadinessRegistry) => {
            const dataSource = await openDatabase(config.ILOT_DATABASE_URL);
            readiness.register('database', async () => (await dataSource.query('SELECT 1 AS ok'))[0].ok === 1);
            const mode = await detectStorageMode(dataSource);
            new Logger('Storage').log(
              mode === 'timescaledb'
                ? 'TimescaleDB: readings hypertable, continuous aggregates'
                : 'plain PostgreSQL: rollup tables kept by ingestion',
            );
            return dataSource;
          },
          inject: [ReadinessRegistry],
        },
        ReadinessRegistry,
        {
          provide: SiteCatalog,
          useFactory: async (db: DataSource) => {
            const files = config.ILOT_SITES_DIR
              ? { dir: config.ILOT_SITES_DIR }
              : { fixed: { site, source: config.ILOT_SITE_FILE, fingerprint: 'fixed' } };
            const catalog = new SiteCatalog(files, new SiteDefinitionRepository(db));
            await catalog.refresh();
            catalog.start(config.ILOT_SITES_POLL_S * 1000);
            return catalog;
          },
          inject: [DATA_SOURCE],
        },
      ],
      exports: [RUNTIME_CONFIG, CLOCK, SITE, METRICS_REGISTRY, DATA_SOURCE, ReadinessRegistry, SiteCatalog],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.catalog.stop();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    this.logger.log('database pool closed');
  }
}
