import { DynamicModule, Module } from '@nestjs/common';
import { hostname } from 'node:os';
import { ownedClientId } from '@ilot/protocol';
import type { Clock } from '@ilot/domain';
import {
  repositoryProvider,
  CLOCK,
  createAppMqttClient,
  InboundRejects,
  METRICS_REGISTRY,
  ReadinessRegistry,
  RUNTIME_CONFIG,
  RuntimeConfig,
  SITE,
} from '@ilot/runtime';
import type { Site } from '@ilot/site';
import {
  DeviceStatusRepository,
  CommodityReadingRepository,
  ReadingRepository,
  RejectedMessageRepository,
  SignalRepository,
  PvForecastRepository,
  SeqGapRepository,
} from '@ilot/timeseries';
import { Registry } from 'prom-client';
import type { IngestionConfig } from './ingestion.config';
import { IngestionMetrics } from './ingestion.metrics';
import { MISSING_CHECK_DELAY_MS, MissingReadings } from './missing-readings';
import { SeqGaps } from './seq-gaps';
import {
  INBOUND_REJECTS,
  INGEST_SPOOL,
  INGESTION_CONFIG,
  INGESTION_MQTT,
  IngestionMqttConnect,
} from './ingestion.tokens';
import { ReadingBatcher } from './reading-batcher';
import { IngestSpool } from './ingest-spool';
import { join } from 'node:path';
import { InboundHandler } from './inbound.handler';

/** Ingestion: MQTT telemetry, status and signals -> validated -> PostgreSQL (refusals kept and counted). */
@Module({})
export class IngestionModule {
  static forRoot(config: IngestionConfig): DynamicModule {
    return {
      module: IngestionModule,
      providers: [
        { provide: INGESTION_CONFIG, useValue: config },
        {
          provide: INGESTION_MQTT,
          // A persistent session: what arrives while the ingester is down or behind waits in the broker.
          // Provided as a connect function: the handler attaches its listeners before the session resumes.
          useFactory:
            (runtime: RuntimeConfig, readiness: ReadinessRegistry, site: Site): IngestionMqttConnect =>
            (beforeConnect) =>
              createAppMqttClient(
                runtime,
                readiness,
                'ingestion',
                {
                  clientId: ingestionClientId(config, runtime, site),
                  clean: false,
                  sessionExpiryS: config.ILOT_INGEST_SESSION_EXPIRY_S,
                  receiveMaximum: config.ILOT_INGEST_MAX_INFLIGHT,
                },
                beforeConnect,
              ),
          inject: [RUNTIME_CONFIG, ReadinessRegistry, SITE],
        },
        {
          provide: IngestionMetrics,
          useFactory: (registry: Registry) => new IngestionMetrics(registry),
          inject: [METRICS_REGISTRY],
        },
        repositoryProvider(ReadingRepository),
        repositoryProvider(RejectedMessageRepository),
        repositoryProvider(DeviceStatusRepository),
        repositoryProvider(SignalRepository),
        repositoryProvider(PvForecastRepository),
        repositoryProvider(CommodityReadingRepository),
        {
          provide: INBOUND_REJECTS,
          useFactory: (site: Site, registry: Registry, repository: RejectedMessageRepository) =>
            new InboundRejects(site.id, registry, repository),
          inject: [SITE, METRICS_REGISTRY, RejectedMessageRepository],
        },
        {
          provide: ReadingBatcher,
          useFactory: (repository: ReadingRepository, clock: Clock, metrics: IngestionMetrics) =>
            new ReadingBatcher(repository, clock, metrics, {
              batchSize: config.ILOT_INGEST_BATCH_SIZE,
              flushMs: config.ILOT_INGEST_FLUSH_MS,
              writeConcurrency: config.ILOT_INGEST_WRITE_CONCURRENCY,
            }),
          inject: [ReadingRepository, CLOCK, IngestionMetrics],
        },
        spoolProvider(config),
        InboundHandler,
        { provide: MISSING_CHECK_DELAY_MS, useValue: config.ILOT_INGEST_MISSING_CHECK_S * 1000 },
        MissingReadings,
        repositoryProvider(SeqGapRepository),
        SeqGaps,
      ],
    };
  }
}

/** The instance's spool, in a folder of its own (its client id): two ingesters on one host never share one. */
function spoolProvider(config: IngestionConfig) {
  return {
    provide: INGEST_SPOOL,
    useFactory: (runtime: RuntimeConfig, site: Site) =>
      config.ILOT_INGEST_SPOOL_MAX_MB > 0
        ? new IngestSpool(
            join(config.ILOT_INGEST_SPOOL_DIR, ingestionClientId(config, runtime, site)),
            config.ILOT_INGEST_SPOOL_MAX_MB * 1024 * 1024,
          )
        : null,
    inject: [RUNTIME_CONFIG, SITE],
  };
}

/** The persistent session's client id: as configured, else one per site, or per host (a pod, a replica) for many îlots. */
function ingestionClientId(config: IngestionConfig, runtime: RuntimeConfig, site: Site): string {
  if (config.ILOT_INGEST_CLIENT_ID) return config.ILOT_INGEST_CLIENT_ID;
  const host = hostname()
    .replace(/[^A-Za-z0-9_-]/g, '-')
    .slice(0, 40);
  // The ingestion identity's own (libs/protocol ownsClientId), so no other credential can take it.
  return ownedClientId({ kind: 'service', name: 'ilot-ingestion' }, runtime.ILOT_SITES_DIR ? host : site.id);
}
