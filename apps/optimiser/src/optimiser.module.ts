import { DynamicModule, Module } from '@nestjs/common';
import type { Clock } from '@ilot/domain';
import {
  repositoryProvider,
  CLOCK,
  createAppMqttClient,
  DATA_SOURCE,
  inboundLimits,
  METRICS_REGISTRY,
  ReadinessRegistry,
  RUNTIME_CONFIG,
  RuntimeConfig,
} from '@ilot/runtime';
import {
  CommandRepository,
  DeviceStatusRepository,
  PlanRepository,
  ReadingRepository,
  RejectedMessageRepository,
  SignalRepository,
  PvForecastRepository,
  WeatherForecastRepository,
} from '@ilot/timeseries';
import type { MqttClient } from 'mqtt';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { dispatcherFor } from './dispatcher-for';
import { LeaseDatabase } from './lease-database';
import { type OptimiserConfig, solverThreads } from './optimiser.config';
import { OptimiserMetrics } from './optimiser.metrics';
import { DISPATCHER_FOR, LP_SOLVER, OPTIMISER_CONFIG, OPTIMISER_MQTT } from './optimiser.tokens';
import { PlanningLoopService } from './planning-loop.service';
import { SiteChangesAdapter } from '@ilot/runtime';
import { SolverPool } from './solver-pool';

/** Optimiser: the planners (one site, or the sites this instance holds a lease on) and command dispatch. */
@Module({})
export class OptimiserModule {
  // eslint-disable-next-line max-lines-per-function -- the app's provider list, one factory per provider
  static forRoot(config: OptimiserConfig): DynamicModule {
    return {
      module: OptimiserModule,
      providers: [
        { provide: OPTIMISER_CONFIG, useValue: config },
        { provide: LP_SOLVER, useFactory: () => new SolverPool(config.ILOT_PLAN_SOLVER, solverThreads(config)) },
        {
          provide: OPTIMISER_MQTT,
          useFactory: (runtime: RuntimeConfig, readiness: ReadinessRegistry) =>
            createAppMqttClient(runtime, readiness, 'optimiser'),
          inject: [RUNTIME_CONFIG, ReadinessRegistry],
        },
        {
          provide: OptimiserMetrics,
          useFactory: (registry: Registry, clock: Clock) => new OptimiserMetrics(registry, () => clock.now().getTime()),
          inject: [METRICS_REGISTRY, CLOCK],
        },
        repositoryProvider(ReadingRepository),
        repositoryProvider(DeviceStatusRepository),
        repositoryProvider(PlanRepository),
        repositoryProvider(CommandRepository),
        repositoryProvider(SignalRepository),
        repositoryProvider(PvForecastRepository),
        repositoryProvider(WeatherForecastRepository),
        {
          provide: LeaseDatabase,
          useFactory: (runtime: RuntimeConfig, shared: DataSource) =>
            LeaseDatabase.open(runtime.ILOT_DATABASE_URL, Boolean(runtime.ILOT_SITES_DIR), shared),
          inject: [RUNTIME_CONFIG, DATA_SOURCE],
        },
        repositoryProvider(RejectedMessageRepository),
        {
          provide: SiteChangesAdapter,
          useFactory: (runtime: RuntimeConfig) => new SiteChangesAdapter(runtime.ILOT_DATABASE_URL),
          inject: [RUNTIME_CONFIG],
        },
        {
          // One dispatcher per site planned (its acks, retries and verifications), on the app's one connection.
          provide: DISPATCHER_FOR,
          useFactory: (
            mqtt: MqttClient,
            repository: CommandRepository,
            clock: Clock,
            metrics: OptimiserMetrics,
            runtime: RuntimeConfig,
            readings: ReadingRepository,
            registry: Registry,
            rejected: RejectedMessageRepository,
          ) =>
            dispatcherFor({
              mqtt,
              repository,
              clock,
              metrics,
              protocolVersion: runtime.ILOT_MQTT_PROTOCOL_VERSION,
              limits: inboundLimits(runtime),
              readings,
              registry,
              rejected,
              config,
            }),
          inject: [
            OPTIMISER_MQTT,
            CommandRepository,
            CLOCK,
            OptimiserMetrics,
            RUNTIME_CONFIG,
            ReadingRepository,
            METRICS_REGISTRY,
            RejectedMessageRepository,
          ],
        },
        PlanningLoopService,
      ],
      exports: [PlanningLoopService],
    };
  }
}
