import { DynamicModule, Module } from '@nestjs/common';
import type { MetricsConfig } from '../metrics.config';
import { DashboardDevicesSync } from './dashboard-devices.sync';
import { PrivacyRetention } from '@ilot/residents';
import { LEDGER_INTERVAL_MS, ResidentLedgerJob } from './resident-ledger.job';

/** The residents' ledger kept up to date: the job that runs ResidentLedgerService (libs/residents) every period. */
@Module({})
export class LedgerModule {
  static register(config: MetricsConfig, shared: DynamicModule): DynamicModule {
    return {
      module: LedgerModule,
      imports: [shared],
      providers: [
        { provide: LEDGER_INTERVAL_MS, useValue: config.ILOT_LEDGER_INTERVAL_S * 1000 },
        ResidentLedgerJob,
        DashboardDevicesSync,
        PrivacyRetention,
      ],
    };
  }
}
