import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { Clock } from '@ilot/domain';
import { DeferredPubacks } from '@ilot/mqtt';
import {
  decodePvForecast,
  decodeSignal,
  type InboundLimits,
  parseTopic,
  type RejectReason,
  topics,
  validateCommodityTelemetry,
  validateStatus,
  validateTelemetry,
} from '@ilot/protocol';
import {
  CLOCK,
  inboundLimits,
  InboundRejects,
  InboundTopic,
  LogThrottle,
  retryUntilDone,
  RUNTIME_CONFIG,
  type RuntimeConfig,
  SITE,
  SiteCatalog,
} from '@ilot/runtime';
import { type CommodityMeterSpec, isCommodityMeter, maxQuantityPerHour, type Site } from '@ilot/site';
import {
  CommodityReadingRepository,
  type CommodityStoreResult,
  DeviceStatusRepository,
  PvForecastRepository,
  SignalRepository,
} from '@ilot/timeseries';
import type { IPublishPacket, ISubscriptionMap, MqttClient } from 'mqtt';
import type { IngestionConfig } from './ingestion.config';
import { IngestionMetrics } from './ingestion.metrics';
import {
  INBOUND_REJECTS,
  INGEST_SPOOL,
  INGESTION_CONFIG,
  INGESTION_MQTT,
  IngestionMqttConnect,
} from './ingestion.tokens';
import { ConflictingReading, ReadingBatcher } from './reading-batcher';
import { WindowOverrun } from './window-overrun';
import type { IngestSpool } from './ingest-spool';
import { SpoolDrain } from './spool-drain';

/**
 * The MQTT edge of ingestion: telemetry, statuses, signals and external PV forecasts, each parsed and validated by the one decode of
 * libs/protocol, then handed over (readings to the batcher, statuses and signals to their repositories); a refusal is
 * kept and counted by InboundRejects. A message's PUBACK waits until it is stored or its refusal is.
 */
@Injectable()
export class InboundHandler implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Inbound');
  private readonly log = new LogThrottle(this.logger);
  private readonly limits: InboundLimits;
  private acks: DeferredPubacks | undefined;
  private mqtt: MqttClient | undefined;
  private readonly share: string;
  private readonly maxInflight: number;
  private stopping = false;
  /** Signals one at a time, in arrival order: an order revised twice in a row ends as its last version. */
  private signalQueue: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(INGESTION_MQTT) private readonly connect: IngestionMqttConnect,
    @Inject(SITE) site: Site,
    @Inject(RUNTIME_CONFIG) private readonly runtime: RuntimeConfig,
    private readonly catalog: SiteCatalog,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(INGESTION_CONFIG) config: IngestionConfig,
    @Inject(INBOUND_REJECTS) private readonly rejects: InboundRejects,
    private readonly batcher: ReadingBatcher,
    private readonly statuses: DeviceStatusRepository,
    private readonly signals: SignalRepository,
    private readonly pvForecasts: PvForecastRepository,
    private readonly commodities: CommodityReadingRepository,
    private readonly metrics: IngestionMetrics,
    @Inject(INGEST_SPOOL) private readonly spool: IngestSpool | null,
  ) {
    this.limits = inboundLimits(runtime);
    this.share = config.ILOT_INGEST_SHARE_GROUP;
    this.maxInflight = config.ILOT_INGEST_MAX_INFLIGHT;
    this.overrun = new WindowOverrun(this.maxInflight);
    // One connection for every site served: its unacknowledged count is the process's, labelled by its one site or "all".
    const unackedSite = runtime.ILOT_SITES_DIR ? 'all' : site.id;
    this.metrics.unackedSource = () => ({ site: unackedSite, count: this.acks?.held ?? 0 });
    this.metrics.spoolSource = () => ({ site: unackedSite, bytes: spool?.bytes ?? 0 });
    this.drain = spool
      ? new SpoolDrain(spool, (m) => this.process(m.topic, m.payload, m.receivedAt), metrics, unackedSite)
      : undefined;
  }

  /** The spool's ends (issue 30 §3), when the instance has one. */
  private readonly drain: SpoolDrain | undefined;

  async onModuleInit(): Promise<void> {
    this.mqtt = await this.connect((client) => {
      this.acks = new DeferredPubacks(client, this.maxInflight);
      client.on('message', (topic, payload, packet) => this.handle(topic, payload, packet));
      client.on('connect', (connack) => this.resubscribe(connack.sessionPresent));
    });
    // Several instances share the load through an MQTT 5 shared subscription; aedes (MQTT 3.1.1) has none.
    const prefix = this.share && this.mqtt.options.protocolVersion === 5 ? `$share/${this.share}/` : '';
    // Many îlots (ILOT_SITES_DIR): one subscription over every site, each message checked against its own site.
    const sites = this.runtime.ILOT_SITES_DIR ? ['+'] : this.catalog.sites().map((entry) => entry.site.id);
    const subscriptions = sites
      .flatMap((id) => [topics.allTelemetry(id), topics.allStatus(id), topics.signals(id), topics.forecast(id)])
      .map((t) => prefix + t);
    await this.mqtt.subscribeAsync(subscriptions, { qos: 1 });
    this.subscriptions = subscriptions;
    this.logger.log(`subscribed to ${subscriptions.join(', ')}`);
    // What a crash left in the spool is replayed first; what arrives meanwhile waits behind it.
    if (this.spool?.holds) this.drain!.start();
  }

  private subscriptions: string[] | undefined;

  /**
   * Back on the broker with its session present, subscribes again all the same (mqtt.js does it only without a
   * session). Regression: Mosquitto 2.0.11 restores a persistent session from its file without its shared
   * subscriptions, so after a broker restart the ingesters' sessions were "present" and received nothing, for ever
   * (found by the broker-restart fault test). Subscribing again to a subscription the session has replaces it.
   */
  private resubscribe(sessionPresent: boolean | undefined): void {
    if (!this.subscriptions || !sessionPresent || this.stopping) return;
    // The map form with `resubscribe`: otherwise mqtt.js, which believes the session holds them, sends nothing.
    const again = Object.fromEntries(this.subscriptions.map((topic) => [topic, { qos: 1 }])) as ISubscriptionMap;
    again.resubscribe = true;
    this.mqtt!.subscribeAsync(again).then(
      () => this.logger.log('back on the broker: subscribed again'),
      (error: Error) => this.logger.error(`subscribing again failed: ${error.message}`),
    );
  }

  /** Stops taking messages, then writes what is pending (readings, statuses, signals), before the database pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    // A write in flight completes; one that fails from here on is not retried (its PUBACK never leaves: redelivered).
    this.stopping = true;
    await this.mqtt?.endAsync();
    this.drain?.stop();
    await Promise.all([this.batcher.close(), ...this.writes, this.rejects.close()]);
  }

  /** Status and signal writes in flight, awaited at shutdown. */
  private readonly writes = new Set<Promise<unknown>>();

  /** One message: its PUBACK waits until it is committed or its rejection is stored. */
  handle(topic: string, payload: Buffer, packet: IPublishPacket): void {
    const safe = this.acks!.hold(packet);
    this.watchWindow(this.acks!.held);
    const now = this.clock.now();
    const drain = this.drain;
    if (!drain) return void this.process(topic, payload, now).then(safe);
    const message = { topic, payload, receivedAt: now };
    // While the spool holds messages, the new ones go behind them (a full spool: processed here, the PUBACK waits).
    if (drain.active)
      return void drain
        .keep(message)
        .then((kept) => (kept ? undefined : this.process(topic, payload, now)))
        .then(safe);
    void this.process(topic, payload, now, () => drain.keep(message)).then(safe);
  }

  /** One message received at `now`; `spill` keeps it in the spool instead when the database fails (none: it waits). */
  private process(topic: string, payload: Buffer, now: Date, spill?: () => Promise<boolean>): Promise<unknown> {
    const parsed = parseTopic(topic);
    const kind: InboundTopic =
      parsed?.kind === 'status' || parsed?.kind === 'signals' || parsed?.kind === 'forecast'
        ? parsed.kind
        : 'telemetry';
    const site = parsed && this.catalog.find(parsed.siteId)?.site;
    // A site not served is counted under "unknown": a label per made-up site id would grow without bound.
    const refuse = (refusal: { reason: RejectReason; problems: string[] }) =>
      this.rejects.keep(topic, kind, payload, now, refusal, site?.id ?? 'unknown', spill);
    if (!parsed || parsed.kind === 'schedule' || parsed.kind === 'command' || parsed.kind === 'commandAck')
      return refuse({ reason: 'schema', problems: ['topic: not a telemetry, status, signals or forecast topic'] });
    if (!site)
      return refuse({ reason: 'unknown_site', problems: [`topic: site "${parsed.siteId}" is not served here`] });
    switch (parsed.kind) {
      case 'telemetry': {
        const device = site.devices.get(parsed.deviceId);
        if (device && isCommodityMeter(device)) return this.takeCommodity(site, device, payload, now, refuse, spill);
        const result = validateTelemetry(site, parsed.deviceId, payload, now, this.limits);
        if (!result.ok) return refuse(result);
        return this.batcher
          .add(result.value, spill)
          .then((conflicts) =>
            conflicts.length
              ? refuse({ reason: 'duplicate', problems: conflicts.map((c) => describeConflict(c)) })
              : undefined,
          );
      }
      case 'status': {
        const result = validateStatus(site, parsed.deviceId, payload, now, this.limits);
        if (!result.ok) return refuse(result);
        const { state, ts } = result.value;
        return this.store('status', () => this.statuses.upsert(site.id, parsed.deviceId, state, ts, now), spill);
      }
      case 'signals':
        return (this.signalQueue = this.signalQueue.then(() => this.takeSignal(site, payload, now, refuse)));
      case 'forecast': {
        const isPvArray = (id: string) => site.devices.get(id)?.kind === 'pv';
        const forecast = decodePvForecast(payload, now, this.limits, isPvArray);
        if (!forecast.ok) return refuse(forecast);
        return this.store('forecast', () => this.pvForecasts.store(site.id, forecast.value, now), spill);
      }
    }
  }

  /** A gas, water or heat meter's readings: validated, then stored with their quantities (or refused with the reason). */
  private async takeCommodity(
    site: Site,
    device: CommodityMeterSpec,
    payload: Buffer,
    now: Date,
    refuse: (refusal: { reason: RejectReason; problems: string[] }) => Promise<void>,
    spill?: () => Promise<boolean>,
  ): Promise<unknown> {
    const result = validateCommodityTelemetry(site, device, payload, now, this.limits);
    if (!result.ok) return refuse(result);
    const meter = { siteId: site.id, deviceId: device.id, maxPerHour: maxQuantityPerHour(device) };
    let stored: CommodityStoreResult | undefined;
    await this.store('commodity', async () => (stored = await this.commodities.store(meter, result.value, now)), spill);
    if (!stored) return;
    if (!stored.ok) return refuse({ reason: stored.reason, problems: [stored.problem] });
    this.metrics.countStored(site.id, stored.inserted, stored.duplicates);
    if (stored.resets > 0) {
      this.metrics.meterResets.inc({ site: site.id }, stored.resets);
      this.log.warn(
        `reset:${site.id}/${device.id}`,
        `${device.id}: index reset (meter swapped or reprogrammed), quantity unknown`,
      );
    }
  }

  private async takeSignal(
    site: Site,
    payload: Buffer,
    now: Date,
    refuse: (refusal: { reason: RejectReason; problems: string[] }) => Promise<void>,
  ): Promise<void> {
    const signal = decodeSignal(payload, now, this.limits);
    if (!signal.ok) return refuse(signal);
    await this.store('signal', () => this.signals.storePayload(site.id, signal.value, site.timezone, now));
    this.log.log('signal', `signal stored: ${JSON.stringify(signal.value)}`);
  }

  /** Stores what was accepted, retrying while the database is away (the PUBACK waits), never past shutdown. */
  private store(what: string, write: () => Promise<unknown>, spill?: () => Promise<boolean>): Promise<unknown> {
    const retried = () =>
      retryUntilDone(
        write,
        1000,
        (error) => this.stopping || this.log.error(`store:${what}`, `${what} write failed: ${error.message}`),
        () => this.stopping,
      );
    // A first failure with a spool: the message is kept there (and replayed) rather than retried here.
    const written = (spill ? write().catch(async () => ((await spill()) ? undefined : retried())) : retried()).finally(
      () => this.writes.delete(written),
    );
    this.writes.add(written);
    return written;
  }

  private readonly overrun: WindowOverrun;

  /** Says once per episode when the broker overruns Receive Maximum (memory is then bounded by its backlog), and its peak at the end. */
  private watchWindow(held: number): void {
    const change = this.overrun.observe(held);
    if (change && 'started' in change)
      this.logger.warn(
        `${change.started} messages unacknowledged, above the ${this.maxInflight} Receive Maximum: the broker is not honouring it (Mosquitto 2.0 on session resume)`,
      );
    else if (change)
      this.logger.warn(
        `back within the Receive Maximum; at most ${change.ended.peak} messages were held unacknowledged`,
      );
  }
}

/** Why a reading that came again with another value is refused, naming its field. */
function describeConflict({ reading, storedPowerW, storedSeq }: ConflictingReading): string {
  return `ts: ${reading.ts.toISOString()} is stored for ${reading.deviceId} with powerW ${storedPowerW} (seq ${storedSeq}); this one says powerW ${reading.powerW} (seq ${reading.seq})`;
}
