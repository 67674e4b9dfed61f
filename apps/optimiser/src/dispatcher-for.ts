import type { Clock } from '@ilot/domain';
import type { InboundLimits } from '@ilot/protocol';
import { InboundRejects } from '@ilot/runtime';
import type { Site } from '@ilot/site';
import type { CommandRepository, ReadingRepository, RejectedMessageRepository } from '@ilot/timeseries';
import type { MqttClient } from 'mqtt';
import type { Registry } from 'prom-client';
import { CommandDispatcher } from './command-dispatcher';
import { commandVerifier } from './command-verifier';
import type { OptimiserConfig } from './optimiser.config';
import type { OptimiserMetrics } from './optimiser.metrics';

/** What every site's dispatcher of a process shares: the connection, the stores, the clock, the settings. */
export interface DispatcherParts {
  /** The bounds of an ack: the deployment's inbound limits. */
  limits: InboundLimits;
  mqtt: MqttClient;
  repository: CommandRepository;
  clock: Clock;
  metrics: OptimiserMetrics;
  protocolVersion: 4 | 5;
  readings: ReadingRepository;
  registry: Registry;
  rejected: RejectedMessageRepository;
  config: Pick<
    OptimiserConfig,
    'ILOT_COMMAND_ACK_TIMEOUT_MS' | 'ILOT_COMMAND_MAX_RETRIES' | 'ILOT_COMMAND_VERIFY_AFTER_S'
  >;
}

/** One command dispatcher per site planned (its acks, retries and verifications), on the process's one connection. */
export function dispatcherFor(parts: DispatcherParts): (site: Site) => CommandDispatcher {
  const { mqtt, repository, clock, metrics, config } = parts;
  return (site) =>
    new CommandDispatcher(
      site.id,
      mqtt,
      repository,
      clock,
      metrics,
      parts.protocolVersion,
      { ackTimeoutMs: config.ILOT_COMMAND_ACK_TIMEOUT_MS, maxRetries: config.ILOT_COMMAND_MAX_RETRIES },
      // The deployment's inbound limits (ILOT_INGEST_MAX_PAYLOAD_BYTES, _MAX_FUTURE_S), as ingestion's: regression
      // (issue 25), the acks' were hard-coded.
      { rejects: new InboundRejects(site.id, parts.registry, parts.rejected), limits: parts.limits },
      {
        afterMs: (config.ILOT_COMMAND_VERIFY_AFTER_S * 1000) / clock.speedup,
        check: commandVerifier(site, parts.readings),
      },
    );
}
