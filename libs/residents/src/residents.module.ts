import { DynamicModule, Inject, Module, OnApplicationShutdown, Optional } from '@nestjs/common';
import { DATA_SOURCE, ReadinessRegistry, repositoryProvider, RUNTIME_CONFIG, type RuntimeConfig } from '@ilot/runtime';
import {
  AccInvoiceRepository,
  AccRepository,
  AllocationShareRepository,
  CommodityReadingRepository,
  DashboardDeviceRepository,
  ErasureRepository,
  PlanRepository,
  PrivacyRepository,
  ReadingRepository,
  ResidentLedgerRepository,
  SignalRepository,
  ViewerTickets,
} from '@ilot/timeseries';
import type { DataSource } from 'typeorm';
import { apiDatabaseUrl, openResidentDatabase } from './resident-database';
import { RESIDENT_READER } from './resident-report.service';
import { SiteScopes } from './site-scopes';
import { FacturxValidator } from './acc/facturx-validator';

const RESIDENT_DATA_SOURCE = Symbol('RESIDENT_DATA_SOURCE');

export interface ResidentsOptions {
  /**
   * Residents' reports are read (the API): open the API role's connection, under row-level security (ADR 0007), at
   * this URL (default: the database's, as `ilot_api`). Absent (the metrics app: gauges and the ledger job), no such
   * connection is opened and the sites' scopes carry no report reader.
   */
  reports?: { apiDatabaseUrl?: string };
}

/**
 * What the API and the metrics app share: the repositories and every îlot's services (SiteScopes); with `reports`,
 * the resident database, the API role's connection under row-level security.
 */
@Module({})
export class ResidentsModule implements OnApplicationShutdown {
  constructor(@Optional() @Inject(RESIDENT_DATA_SOURCE) private readonly residentDb?: DataSource) {}

  static forRoot(options: ResidentsOptions): DynamicModule {
    const reports = options.reports;
    const providers = [
      repositoryProvider(ReadingRepository),
      repositoryProvider(PlanRepository),
      repositoryProvider(SignalRepository),
      repositoryProvider(ResidentLedgerRepository),
      repositoryProvider(CommodityReadingRepository),
      repositoryProvider(AllocationShareRepository),
      repositoryProvider(AccRepository),
      repositoryProvider(DashboardDeviceRepository),
      repositoryProvider(PrivacyRepository),
      {
        provide: AccInvoiceRepository,
        useFactory: (ledger: ResidentLedgerRepository) => new AccInvoiceRepository(ledger),
        inject: [ResidentLedgerRepository],
      },
      { provide: FacturxValidator, useFactory: () => new FacturxValidator() },
      {
        provide: ErasureRepository,
        useFactory: (ledger: ResidentLedgerRepository) => new ErasureRepository(ledger),
        inject: [ResidentLedgerRepository],
      },
      ...(reports
        ? [
            {
              provide: RESIDENT_DATA_SOURCE,
              // After the main data source (its migrations create the API role and grant it): on a fresh cluster the
              // role does not exist before them (regression: the e2e loop failed with 'role "ilot_api" does not exist').
              useFactory: async (runtime: RuntimeConfig, readiness: ReadinessRegistry, _migrated: DataSource) => {
                const db = await openResidentDatabase(
                  apiDatabaseUrl(runtime.ILOT_DATABASE_URL, reports.apiDatabaseUrl),
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
          ]
        : [{ provide: RESIDENT_READER, useValue: null }]),
      SiteScopes,
    ];
    return { module: ResidentsModule, providers, exports: providers.map((p) => ('provide' in p ? p.provide : p)) };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.residentDb?.isInitialized) await this.residentDb.destroy();
  }
}
