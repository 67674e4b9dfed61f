import { DynamicModule, Inject, Module, OnApplicationShutdown } from '@nestjs/common';
import { DATA_SOURCE, ReadinessRegistry, repositoryProvider, RUNTIME_CONFIG, type RuntimeConfig } from '@ilot/runtime';
import { apiDatabaseUrl, openResidentDatabase, RESIDENT_READER } from '@ilot/residents';
import {
  AllocationShareRepository,
  DashboardDeviceRepository,
  ErasureRepository,
  PlanRepository,
  PrivacyRepository,
  ReadingRepository,
  CommodityReadingRepository,
  ResidentLedgerRepository,
  SignalRepository,
  ViewerTickets,
} from '@ilot/timeseries';
import type { DataSource } from 'typeorm';
import type { MetricsConfig } from './metrics.config';
import { SiteScopes } from './site-scopes';

export const METRICS_CONFIG = Symbol('METRICS_CONFIG');
const RESIDENT_DATA_SOURCE = Symbol('RESIDENT_DATA_SOURCE');

/**
 * What the metrics app's modules share: its configuration, the repositories, every îlot's effacement and resident
 * services (SiteScopes, over libs/residents) and the resident database, the API role's connection under row-level security (ADR 0007).
 */
@Module({})
export class ResidentsModule implements OnApplicationShutdown {
  constructor(@Inject(RESIDENT_DATA_SOURCE) private readonly residentDb: DataSource) {}

  static forRoot(config: MetricsConfig): DynamicModule {
    const providers = [
      { provide: METRICS_CONFIG, useValue: config },
      repositoryProvider(ReadingRepository),
      repositoryProvider(PlanRepository),
      repositoryProvider(SignalRepository),
      repositoryProvider(ResidentLedgerRepository),
      repositoryProvider(CommodityReadingRepository),
      repositoryProvider(AllocationShareRepository),
      repositoryProvider(DashboardDeviceRepository),
      repositoryProvider(PrivacyRepository),
      {
        provide: ErasureRepository,
        useFactory: (ledger: ResidentLedgerRepository) => new ErasureRepository(ledger),
        inject: [ResidentLedgerRepository],
      },
      {
        provide: RESIDENT_DATA_SOURCE,
        // After the main data source (its migrations create the API role and grant it): on a fresh cluster the role
        // does not exist before them (regression: the e2e loop failed with 'role "ilot_api" does not exist').
        useFactory: async (runtime: RuntimeConfig, readiness: ReadinessRegistry, _migrated: DataSource) => {
          const db = await openResidentDatabase(
            apiDatabaseUrl(runtime.ILOT_DATABASE_URL, config.ILOT_API_DATABASE_URL),
          );
          readiness.register('resident database', async () => (await db.query('SELECT 1 AS ok'))[0].ok === 1);
          return db;
        },
        inject: [RUNTIME_CONFIG, ReadinessRegistry, DATA_SOURCE],
      },
      {
        provide: RESIDENT_READER,
        // The API role cannot read the tickets' key: it is read on the owner's connection and given to the reader.
        useFactory: async (db: DataSource, owner: DataSource) =>
          new ResidentLedgerRepository(db, await ViewerTickets.load(owner)),
        inject: [RESIDENT_DATA_SOURCE, DATA_SOURCE],
      },
      SiteScopes,
    ];
    return { module: ResidentsModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.residentDb.isInitialized) await this.residentDb.destroy();
  }
}
