import { DynamicModule, Module } from '@nestjs/common';
import type { Clock } from '@ilot/domain';
import { repositoryProvider, CLOCK, createAppMqttClient, METRICS_REGISTRY, ReadinessRegistry, RUNTIME_CONFIG, RuntimeConfig } from '@ilot/runtime';
import { DeviceStatusRepository, ReadingRepository, RejectedMessageRepository } from '@ilot/timeseries';
import { Registry } from 'prom-client';
import type { IngestionConfig } from './ingestion.config';
import { IngestionMetrics } from './ingestion.metrics';
import { INGESTION_CONFIG, INGESTION_MQTT } from './ingestion.tokens';
import { ReadingBatcher } from './reading-batcher';
import { TelemetryHandler } from './telemetry.handler';

/** Ingestion: MQTT telemetry and status -> validated -> PostgreSQL. */
@Module({})
export class IngestionModule {
  static forRoot(config: IngestionConfig): DynamicModule {
    return {
      module: IngestionModule,
      providers: [
        { provide: INGESTION_CONFIG, useValue: config },
        {
          provide: INGESTION_MQTT,
          useFactory: (runtime: RuntimeConfig, readiness: ReadinessRegistry) => createAppMqttClient(runtime, readiness, 'ingestion'),
          inject: [RUNTIME_CONFIG, ReadinessRegistry],
        },
        { provide: IngestionMetrics, useFactory: (registry: Registry) => new IngestionMetrics(registry), inject: [METRICS_REGISTRY] },
        repositoryProvider(ReadingRepository),
        repositoryProvider(RejectedMessageRepository),
        repositoryProvider(DeviceStatusRepository),
        {
          provide: ReadingBatcher,
          useFactory: (repository: ReadingRepository, clock: Clock, metrics: IngestionMetrics) =>
            new ReadingBatcher(repository, clock, metrics, { batchSize: config.ILOT_INGEST_BATCH_SIZE, flushMs: config.ILOT_INGEST_FLUSH_MS }),
          inject: [ReadingRepository, CLOCK, IngestionMetrics],
        },
        TelemetryHandler,
      ],
    };
  }
}
