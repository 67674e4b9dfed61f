import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Clock } from '@ilot/domain';
import { DeferredPubacks, parseTopic, topics } from '@ilot/mqtt';
import { CLOCK, SITE } from '@ilot/runtime';
import type { Site } from '@ilot/site';
import { DeviceStatusRepository, RejectedMessageRepository } from '@ilot/timeseries';
import type { IPublishPacket, MqttClient } from 'mqtt';
import type { IngestionConfig } from './ingestion.config';
import { IngestionMetrics } from './ingestion.metrics';
import { INGESTION_CONFIG, INGESTION_MQTT, IngestionMqttConnect } from './ingestion.tokens';
import { ReadingBatcher } from './reading-batcher';
import { retryUntilDone } from './retry';
import { RejectReason, validateStatus, validateTelemetry, ValidationLimits } from './telemetry-validation';

/** The MQTT edge of ingestion: parse, validate, hand over to the batcher; refuse with a reason otherwise. */
@Injectable()
export class TelemetryHandler implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('TelemetryHandler');
  private readonly limits: ValidationLimits;
  private acks: DeferredPubacks | undefined;
  private mqtt: MqttClient | undefined;
  private readonly share: string;
  private readonly maxInflight: number;
  private stopping = false;

  constructor(
    @Inject(INGESTION_MQTT) private readonly connect: IngestionMqttConnect,
    @Inject(SITE) private readonly site: Site,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(INGESTION_CONFIG) config: IngestionConfig,
    private readonly batcher: ReadingBatcher,
    private readonly rejects: RejectedMessageRepository,
    private readonly statuses: DeviceStatusRepository,
    private readonly metrics: IngestionMetrics,
  ) {
    this.limits = {
      maxPayloadBytes: config.ILOT_INGEST_MAX_PAYLOAD_BYTES,
      maxFutureMs: config.ILOT_INGEST_MAX_FUTURE_S * 1000,
      latenessMs: config.ILOT_INGEST_LATENESS_S * 1000,
    };
    this.share = config.ILOT_INGEST_SHARE_GROUP;
    this.maxInflight = config.ILOT_INGEST_MAX_INFLIGHT;
    metrics.unackedSource = () => ({ site: this.site.id, count: this.acks?.held ?? 0 });
  }

  async onModuleInit(): Promise<void> {
    this.mqtt = await this.connect((client) => {
      this.acks = new DeferredPubacks(client, this.maxInflight);
      client.on('message', (topic, payload, packet) => this.handle(topic, payload, packet));
    });
    // Several instances share the load through an MQTT 5 shared subscription; aedes (MQTT 3.1.1) has none.
    const prefix = this.share && this.mqtt.options.protocolVersion === 5 ? `$share/${this.share}/` : '';
    const subscriptions = [topics.allTelemetry(this.site.id), topics.allStatus(this.site.id)].map((t) => prefix + t);
    await this.mqtt.subscribeAsync(subscriptions, { qos: 1 });
    this.logger.log(`subscribed to ${subscriptions.join(' and ')}`);
  }

  /** Stops taking messages, then writes what is pending, before the database pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    await this.mqtt?.endAsync();
    await this.batcher.close();
  }

  /** One message: its PUBACK waits until its readings are committed or its rejection is stored. */
  handle(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const safe = this.acks!.hold(packet);
    this.watchWindow(this.acks!.held);
    void this.process(topic, payload).then(safe);
  }

  private process(topic: string, payload: Buffer): Promise<void> {
    const now = this.clock.now();
    const parsed = parseTopic(topic);
    if (!parsed || !('deviceId' in parsed))
      return this.reject(topic, payload, now, 'schema', 'not a telemetry or status topic');
    if (parsed.siteId !== this.site.id)
      return this.reject(topic, payload, now, 'unknown_site', `site "${parsed.siteId}" is not "${this.site.id}"`);
    if (parsed.kind === 'telemetry') {
      const result = validateTelemetry(this.site, parsed.deviceId, payload, now, this.limits);
      return result.ok
        ? this.batcher.add(result.value)
        : this.reject(topic, payload, now, result.reason, result.detail);
    }
    if (parsed.kind === 'status') {
      const result = validateStatus(this.site, parsed.deviceId, payload, now, this.limits);
      if (!result.ok) return this.reject(topic, payload, now, result.reason, result.detail);
      const { state, ts } = result.value;
      return retryUntilDone(
        () => this.statuses.upsert(this.site.id, parsed.deviceId, state, ts, now),
        1000,
        (error) => this.storeFailed('status', error),
        () => this.stopping,
      ).then(() => undefined);
    }
    return Promise.resolve();
  }

  /** Counts and keeps a refused message (its PUBACK waits until the rejection is stored). */
  private reject(
    topic: string,
    payload: Buffer,
    receivedAt: Date,
    reason: RejectReason,
    detail: string,
  ): Promise<void> {
    this.metrics.rejected.inc({ site: this.site.id, reason });
    const text = payload.length > 4096 ? payload.subarray(0, 4096).toString('utf8') : payload.toString('utf8');
    return retryUntilDone(
      () => this.rejects.insertBatch([{ receivedAt, topic, reason, detail, payload: text }]),
      1000,
      (error) => this.storeFailed('rejected message', error),
      () => this.stopping,
    ).then(() => undefined);
  }

  private windowExceeded = false;

  /** Says once per episode when the broker overruns Receive Maximum (memory is then bounded by its backlog). */
  private watchWindow(held: number): void {
    const overrun = held > this.maxInflight;
    if (overrun && !this.windowExceeded)
      this.logger.warn(
        `${held} messages unacknowledged, above the ${this.maxInflight} Receive Maximum: the broker is not honouring it (Mosquitto 2.0 on session resume)`,
      );
    this.windowExceeded = overrun;
  }

  private failures = { count: 0, loggedAtMs: 0 };

  /** Write failures are logged at most once a second with their count, never one line per message. */
  private storeFailed(what: string, error: Error): void {
    this.failures.count++;
    const nowMs = Date.now();
    if (nowMs - this.failures.loggedAtMs < 1000) return;
    this.logger.error(`${this.failures.count} ${what} write(s) failed since the last report: ${error.message}`);
    this.failures = { count: 0, loggedAtMs: nowMs };
  }
}
