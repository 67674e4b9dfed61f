import { Logger } from '@nestjs/common';
import type { Clock } from '@ilot/domain';
import { parseTopic, SignalPayload, topics, validateSignal } from '@ilot/mqtt';
import type { PlanSignals } from '@ilot/optimiser';
import type { TempoColour } from '@ilot/tariffs';
import { RejectedMessageRepository, SignalRepository, StoredSignal } from '@ilot/timeseries';
import type { MqttClient } from 'mqtt';
import { Subject } from 'rxjs';

/**
 * The `signals` topic: effacement orders, EcoWatt levels and Tempo colours are validated, stored
 * (the same order id again replaces it) and announce a re-plan; a signal that is malformed or
 * already over is kept in `rejected_messages` with its reason.
 */
export class SignalsHandler {
  private readonly logger = new Logger('Signals');
  private queue: Promise<void> = Promise.resolve();
  /** Emits when a signal has been stored: the planning loop re-plans. */
  readonly received$ = new Subject<void>();

  constructor(
    private readonly siteId: string,
    private readonly timeZone: string,
    private readonly mqtt: MqttClient,
    private readonly signals: SignalRepository,
    private readonly rejects: RejectedMessageRepository,
    private readonly clock: Clock,
  ) {}

  async start(): Promise<void> {
    this.mqtt.on('message', (topic, payload) => {
      const parsed = parseTopic(topic);
      // One at a time, in arrival order: an order revised twice in a row ends as its last version.
      if (parsed?.kind === 'signals' && parsed.siteId === this.siteId)
        this.queue = this.queue.then(() =>
          this.handle(topic, payload).then(
            () => undefined,
            (error: Error) => this.logger.error(`signal not handled: ${error.message}`),
          ),
        );
    });
    await this.mqtt.subscribeAsync(topics.signals(this.siteId), { qos: 1 });
  }

  /** Validates and stores one signal; returns the reason it was refused, if it was. */
  async handle(topic: string, payload: Buffer): Promise<string | undefined> {
    const now = this.clock.now();
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      return this.reject(topic, payload, now, 'malformed_json', 'not JSON');
    }
    const signal = validateSignal(json, now);
    if (!signal.ok) return this.reject(topic, payload, now, signal.reason, signal.detail);
    try {
      await this.signals.storePayload(this.siteId, signal.value, this.timeZone, now);
    } catch (error) {
      this.logger.error(`signal not stored: ${(error as Error).message}`);
      return `not stored: ${(error as Error).message}`;
    }
    this.logger.log(`signal stored: ${JSON.stringify(signal.value)}`);
    this.received$.next();
    return undefined;
  }

  private async reject(
    topic: string,
    payload: Buffer,
    receivedAt: Date,
    reason: string,
    detail: string,
  ): Promise<string> {
    this.logger.warn(`signal refused (${reason}): ${detail}`);
    await this.rejects
      .insertBatch([{ receivedAt, topic, reason, detail, payload: payload.subarray(0, 4096).toString('utf8') }])
      .catch((error: Error) => this.logger.error(`rejected signal not stored: ${error.message}`));
    return `${reason}: ${detail}`;
  }
}

/** The stored signals as the planner takes them. */
export function planSignals(stored: readonly StoredSignal[]): PlanSignals {
  const tempo = new Map<string, TempoColour>();
  const signals: PlanSignals = { effacements: [], ecowatt: [], tempo };
  for (const s of stored) {
    const payload = s.payload as unknown as SignalPayload;
    if (payload.type === 'effacement')
      signals.effacements.push({ id: payload.id, start: s.startsAt, end: s.endsAt, reductionW: payload.reductionW });
    if (payload.type === 'ecowatt') signals.ecowatt.push({ level: payload.level, start: s.startsAt, end: s.endsAt });
    if (payload.type === 'tempo') tempo.set(payload.date, payload.color);
  }
  return signals;
}
