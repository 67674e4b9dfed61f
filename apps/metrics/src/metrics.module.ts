import { DynamicModule, Module } from '@nestjs/common';
import { ResidentsModule } from '@ilot/residents';
import { GaugesModule } from './gauges/gauges.module';
import { LedgerModule } from './ledger/ledger.module';
import type { MetricsConfig } from './metrics.config';

/**
 * Metrics: the îlot gauges on /metrics (gauges/) and the residents' ledger job (ledger/), around what they share with
 * the API (libs/residents' ResidentsModule: the repositories, every îlot's services). One writer of the ledger: the
 * job runs under a lock, and the app is deployed as one replica (deploy/kubernetes/metrics.yaml).
 */
@Module({})
export class MetricsModule {
  static forRoot(config: MetricsConfig): DynamicModule {
    // One instance of the shared module for both (the same object: Nest makes it once).
    const shared = ResidentsModule.forRoot({});
    return {
      module: MetricsModule,
      imports: [shared, GaugesModule.register(config, shared), LedgerModule.register(config, shared)],
    };
  }
}
