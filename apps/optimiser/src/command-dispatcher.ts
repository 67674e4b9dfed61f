import { Logger } from '@nestjs/common';
import type { Clock } from '@ilot/domain';
import {
  CommandPayload,
  decodeCommandAck,
  INBOUND_DEFAULTS,
  type InboundLimits,
  type RejectReason,
  topics,
} from '@ilot/protocol';
import type { AlertFields, InboundRejects } from '@ilot/runtime';
import { CommandRepository, storedCommand } from '@ilot/timeseries';
import type { MqttClient } from 'mqtt';
import { AckRouter } from './ack-router';
import { OptimiserMetrics } from './optimiser.metrics';

/** The outcome of checking a device against its command (libs/optimiser `batteryFollowsCommand`). */
export interface Verdict {
  followed: boolean;
  expectedW: number;
  measuredW: number;
  toleranceW: number;
}

/** Publishes commands (QoS 1, never retained, MQTT 5 expiry = TTL), records them and their acknowledgements. */
export class CommandDispatcher {
  private readonly logger = new Logger('CommandDispatcher');

  /** Commands sent and not acknowledged yet, with the timer of their next retry. */
  private readonly awaitingAck = new Map<string, NodeJS.Timeout>();
  /** Verification timers, cleared at shutdown. */
  private readonly verifyTimers = new Set<NodeJS.Timeout>();
  /** Timer work started (verifications, ack timeouts), awaited at shutdown before the pool closes. */
  private readonly running = new Set<Promise<void>>();
  private closing = false;

  constructor(
    private readonly siteId: string,
    private readonly mqtt: MqttClient,
    private readonly repository: CommandRepository,
    private readonly clock: Clock,
    private readonly metrics: OptimiserMetrics,
    private readonly protocolVersion: 4 | 5,
    /** Real milliseconds to wait for an ack before sending the same command (same cmdId) again; how many times. */
    private readonly retry: { ackTimeoutMs: number; maxRetries: number } = { ackTimeoutMs: 5000, maxRetries: 3 },
    /** Where a refused ack is kept and counted, and the bounds of an ack (size; how far its ts may be ahead of now). */
    private readonly inbound?: { rejects: InboundRejects; limits: InboundLimits },
    /** Checks, `afterMs` real ms after an applied ack, that the device follows the command (undefined: no readings to judge by yet). */
    private readonly verification?: {
      afterMs: number;
      check: (deviceId: string, command: CommandPayload, since: Date) => Promise<Verdict | undefined>;
    },
  ) {}

  /** The command each device has (the last one sent and not refused): the plan renews it only when needed, and only it is verified. */
  private readonly current = new Map<string, CommandPayload>();

  currentCommand(deviceId: string): CommandPayload | undefined {
    return this.current.get(deviceId);
  }

  /** Forgets a device's command when it was refused or never acknowledged: the next plan sends a new one. */
  private forget(deviceId: string, cmdId: string): void {
    if (this.current.get(deviceId)?.cmdId === cmdId) this.current.delete(deviceId);
  }

  /** Stops reading the site's acks and the retry timers, and lets the refused acks being stored finish (a site handed over; at shutdown, before the pool closes). */
  async close(): Promise<void> {
    this.closing = true;
    AckRouter.of(this.mqtt).unregister(this.siteId, this.onAckMessage);
    // A site handed to another planner (or removed): its acks are no longer this instance's to read.
    if (this.mqtt.connected && !this.mqtt.disconnecting)
      await this.mqtt.unsubscribeAsync(topics.allCommandAcks(this.siteId)).catch(() => undefined);
    for (const timer of [...this.awaitingAck.values(), ...this.verifyTimers]) clearTimeout(timer);
    this.awaitingAck.clear();
    this.verifyTimers.clear();
    // Regression (npm start, Ctrl-C): a verification already querying when the pool closed logged "Connection terminated".
    await Promise.all([...this.running]);
    await this.inbound?.rejects.close();
  }

  /** Runs timer work unless shutting down, keeping it until done so that `close` can wait for it. */
  private track(work: () => Promise<void>): void {
    if (this.closing) return;
    const done = work()
      .catch((error: Error) => this.logger.error(`command follow-up failed: ${error.message}`))
      .finally(() => this.running.delete(done));
    this.running.add(done);
  }

  /** An ack of this site's commands, as the connection's AckRouter hands it over. */
  private readonly onAckMessage = (topic: string, deviceId: string, payload: Buffer) =>
    void this.onAck(topic, deviceId, payload);

  async start(): Promise<void> {
    AckRouter.of(this.mqtt).register(this.siteId, this.onAckMessage);
    await this.mqtt.subscribeAsync(topics.allCommandAcks(this.siteId), { qos: 1 });
  }

  /** Records a command on its own (its row and `issued` audit event), then sends it. */
  async dispatch(deviceId: string, command: CommandPayload, planId: string): Promise<void> {
    await this.repository.insert(storedCommand(this.siteId, deviceId, command, planId));
    await this.send(deviceId, command);
  }

  /** Sends a command already recorded (the planner's outbox: `PlanRepository.insertWithCommands`), then awaits its ack. */
  async send(deviceId: string, command: CommandPayload): Promise<void> {
    const now = this.clock.now();
    // Waiting for the ack starts before the send: an answer can come back before publish resolves.
    this.awaitAck(deviceId, command, 0);
    this.current.set(deviceId, command);
    await this.publish(deviceId, command, now);
    this.metrics.commands.inc({ site: this.siteId, type: command.type, status: 'issued' });
  }

  /** QoS 1, never retained; with MQTT 5 the broker drops it at validUntil (message expiry, real seconds). */
  private async publish(deviceId: string, command: CommandPayload, now: Date): Promise<void> {
    const ttlRealS = Math.max(
      Math.ceil((Date.parse(command.validUntil) - now.getTime()) / 1000 / this.clock.speedup),
      1,
    );
    await this.mqtt.publishAsync(topics.command(this.siteId, deviceId), JSON.stringify(command), {
      qos: 1,
      retain: false,
      properties: this.protocolVersion === 5 ? { messageExpiryInterval: ttlRealS } : undefined,
    });
  }

  /**
   * `afterMs` after an applied ack, while the command is still the device's current one and valid: does
   * the device follow it? Recorded as followed or not_followed (audit, `ilot_commands_total`, an
   * alert in the log); with no readings since the ack yet, asked again up to three times.
   */
  private scheduleVerification(deviceId: string, cmdId: string, since: Date, attempt = 1): void {
    if (!this.verification) return;
    const timer = setTimeout(() => {
      this.verifyTimers.delete(timer);
      this.track(() => this.verifyNow(deviceId, cmdId, since, attempt));
    }, this.verification.afterMs);
    timer.unref();
    this.verifyTimers.add(timer);
  }

  private async verifyNow(deviceId: string, cmdId: string, since: Date, attempt: number): Promise<void> {
    const command = this.current.get(deviceId);
    if (command?.cmdId !== cmdId) return; // superseded: what the device does now answers a newer command
    const now = this.clock.now();
    if (Date.parse(command.validUntil) <= now.getTime()) return;
    try {
      const verdict = await this.verification!.check(deviceId, command, since);
      if (!verdict) {
        if (attempt < 3) this.scheduleVerification(deviceId, cmdId, since, attempt + 1);
        return;
      }
      const status = verdict.followed ? 'followed' : 'not_followed';
      await this.repository.recordEvent(cmdId, status, now, verdict);
      this.metrics.commands.inc({ site: this.siteId, type: command.type, status });
      if (!verdict.followed)
        this.logger.warn({
          alert: 'command_not_followed',
          site: this.siteId,
          device: deviceId,
          cmdId,
          reason: `applied but not followed: ${verdict.measuredW} W measured, ${verdict.expectedW.toFixed(0)} W expected (±${verdict.toleranceW} W)`,
        } satisfies AlertFields);
    } catch (error) {
      this.logger.error(`verification of ${cmdId} failed: ${(error as Error).message}`);
    }
  }

  private awaitAck(deviceId: string, command: CommandPayload, retries: number): void {
    const timer = setTimeout(
      () => this.track(() => this.onAckTimeout(deviceId, command, retries)),
      this.retry.ackTimeoutMs,
    );
    timer.unref();
    this.awaitingAck.set(command.cmdId, timer);
  }

  /**
   * No ack in time: the same command again (a controller applies a cmdId once and answers it again),
   * at most `maxRetries` times and never past validUntil; then it is recorded as unacknowledged,
   * counted (`ilot_commands_total{status="unacknowledged"}`) and logged as an alert.
   */
  private async onAckTimeout(deviceId: string, command: CommandPayload, retries: number): Promise<void> {
    if (!this.awaitingAck.delete(command.cmdId)) return;
    const now = this.clock.now();
    try {
      if (retries >= this.retry.maxRetries || Date.parse(command.validUntil) <= now.getTime()) {
        this.forget(deviceId, command.cmdId);
        await this.repository.recordEvent(command.cmdId, 'unacknowledged', now, { retries });
        this.metrics.commands.inc({ site: this.siteId, type: command.type, status: 'unacknowledged' });
        this.logger.warn({
          alert: 'command_unacknowledged',
          site: this.siteId,
          device: deviceId,
          cmdId: command.cmdId,
          retries,
          reason: `never acknowledged (${retries} retries): its controller may be offline or its acks lost`,
        } satisfies AlertFields);
        return;
      }
      // Recorded and awaited before the send, so that the answer is always audited after it.
      this.awaitAck(deviceId, command, retries + 1);
      await this.repository.recordEvent(command.cmdId, 'retried', now, { retry: retries + 1 });
      await this.publish(deviceId, command, now);
      this.metrics.commands.inc({ site: this.siteId, type: command.type, status: 'retried' });
    } catch (error) {
      this.logger.error(`retry of ${command.cmdId} failed: ${(error as Error).message}`);
    }
  }

  /**
   * An answer on a device's ack topic, taken only for a command sent to that device, with a plausible `ts` (not ahead
   * of now, not before the command was issued); anything else is refused with its reason, kept and counted.
   */
  private async onAck(topic: string, deviceId: string, payload: Buffer): Promise<void> {
    const now = this.clock.now();
    const limits = this.inbound?.limits ?? { ...INBOUND_DEFAULTS, latenessMs: Infinity };
    const refuse = (reason: RejectReason, ...problems: string[]) =>
      this.inbound
        ? this.inbound.rejects.keep(topic, 'ack', payload, now, { reason, problems })
        : (this.logger.warn(`ack from ${deviceId} refused (${reason}): ${problems.join('; ')}`), Promise.resolve());
    const decoded = decodeCommandAck(payload, now, limits);
    if (!decoded.ok) return refuse(decoded.reason, ...decoded.problems);
    const ack = decoded.value;
    const { ackedAt } = ack;
    try {
      const recorded = await this.repository.recordAck(
        this.siteId,
        deviceId,
        ack.cmdId,
        ack.status,
        ack.reason,
        ackedAt,
      );
      switch (recorded.outcome) {
        case 'unknown_command':
          return refuse('out_of_range', `cmdId: no command ${ack.cmdId} was sent on site ${this.siteId}`);
        case 'wrong_device':
          return refuse('wrong_device', `topic: command ${ack.cmdId} was not sent to ${deviceId}`);
        case 'before_issue':
          return refuse('out_of_range', `ts: ${ack.ts} is before command ${ack.cmdId} was issued`);
        case 'repeated':
          return; // answered before: counted once (a controller answers a retried cmdId again)
        case 'recorded':
          break;
      }
      clearTimeout(this.awaitingAck.get(ack.cmdId));
      this.awaitingAck.delete(ack.cmdId);
      this.metrics.commands.inc({ site: this.siteId, type: recorded.type, status: ack.status });
      if (ack.status === 'applied') this.scheduleVerification(deviceId, ack.cmdId, ackedAt);
      else {
        this.forget(deviceId, ack.cmdId);
        this.logger.warn(`${deviceId} rejected ${ack.cmdId}: ${ack.reason ?? 'no reason given'}`);
      }
    } catch (error) {
      this.logger.error(`ack ${ack.cmdId} not recorded: ${(error as Error).message}`);
    }
  }
}
