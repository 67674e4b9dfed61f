import { DynamicModule, Module } from '@nestjs/common';
import { ApiModule } from './api/api.module';
import { GaugesModule } from './gauges/gauges.module';
import { LedgerModule } from './ledger/ledger.module';
import type { MetricsConfig } from './metrics.config';
import { ResidentsModule } from './residents.module';

/**
 * Metrics: one module per job, around what they share (ResidentsModule): the îlot gauges on /metrics (gauges/), the
 * operator and resident HTTP API (api/), the residents' ledger job (ledger/).
 */
@Module({})
export class MetricsModule {
  static forRoot(config: MetricsConfig): DynamicModule {
    // One instance of the shared module for all three (the same object: Nest makes it once).
    const shared = ResidentsModule.forRoot(config);
    return {
      module: MetricsModule,
      imports: [
        shared,
        GaugesModule.register(shared),
        ApiModule.register(config, shared),
        LedgerModule.register(config, shared),
      ],
    };
  }
}
