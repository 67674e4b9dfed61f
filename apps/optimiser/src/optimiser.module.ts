import { DynamicModule, Module } from '@nestjs/common';
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
} from '@ilot/runtime';
import type { Site } from '@ilot/site';
import {
  CommandRepository,
  DeviceStatusRepository,
  PlanRepository,
  ReadingRepository,
  RejectedMessageRepository,
  SignalRepository,
  PvForecastRepository,
  SiteLeaseRepository,
} from '@ilot/timeseries';
import type { MqttClient } from 'mqtt';
import { INBOUND_DEFAULTS } from '@ilot/protocol';
import { Registry } from 'prom-client';
import { CommandDispatcher } from './command-dispatcher';
import { commandVerifier } from './command-verifier';
import type { OptimiserConfig } from './optimiser.config';
import { OptimiserMetrics } from './optimiser.metrics';
import { DISPATCHER_FOR, LP_SOLVER, OPTIMISER_CONFIG, OPTIMISER_MQTT } from './optimiser.tokens';
import { PlanningLoopService } from './planning-loop.service';
import { SiteChangesAdapter } from './site-changes.adapter';
import { WorkerLpSolver } from './worker-lp-solver';

/** Optimiser: the planners (one site, or the sites this instance holds a lease on) and command dispatch. */
@Module({})
export class OptimiserModule {
  // eslint-disable-next-line max-lines-per-function -- the app's provider list, one factory per provider
  static forRoot(config: OptimiserConfig): DynamicModule {
    return {
      module: OptimiserModule,
      providers: [
        { provide: OPTIMISER_CONFIG, useValue: config },
        { provide: LP_SOLVER, useFactory: () => new WorkerLpSolver(config.ILOT_PLAN_SOLVER) },
        {
          provide: OPTIMISER_MQTT,
          useFactory: (runtime: RuntimeConfig, readiness: ReadinessRegistry) =>
            createAppMqttClient(runtime, readiness, 'optimiser'),
          inject: [RUNTIME_CONFIG, ReadinessRegistry],
        },
        {
          provide: OptimiserMetrics,
          useFactory: (registry: Registry) => new OptimiserMetrics(registry),
          inject: [METRICS_REGISTRY],
        },
        repositoryProvider(ReadingRepository),
        repositoryProvider(DeviceStatusRepository),
        repositoryProvider(PlanRepository),
        repositoryProvider(CommandRepository),
        repositoryProvider(SignalRepository),
        repositoryProvider(PvForecastRepository),
        repositoryProvider(SiteLeaseRepository),
        repositoryProvider(RejectedMessageRepository),
        {
          provide: SiteChangesAdapter,
          useFactory: (runtime: RuntimeConfig) => new SiteChangesAdapter(runtime.ILOT_DATABASE_URL),
          inject: [RUNTIME_CONFIG],
        },
        {
          // One dispatcher per site planned (its acks, retries and verifications), on the app's one connection.
          provide: DISPATCHER_FOR,
          useFactory:
            (
              mqtt: MqttClient,
              repository: CommandRepository,
              clock: Clock,
              metrics: OptimiserMetrics,
              runtime: RuntimeConfig,
              readings: ReadingRepository,
              registry: Registry,
              rejected: RejectedMessageRepository,
            ) =>
            (site: Site) =>
              new CommandDispatcher(
                site.id,
                mqtt,
                repository,
                clock,
                metrics,
                runtime.ILOT_MQTT_PROTOCOL_VERSION,
                { ackTimeoutMs: config.ILOT_COMMAND_ACK_TIMEOUT_MS, maxRetries: config.ILOT_COMMAND_MAX_RETRIES },
                { rejects: new InboundRejects(site.id, registry, rejected), limits: INBOUND_DEFAULTS },
                {
                  afterMs: (config.ILOT_COMMAND_VERIFY_AFTER_S * 1000) / clock.speedup,
                  check: commandVerifier(site, readings),
                },
              ),
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
