import { Logger } from '@nestjs/common';
import type { Clock } from '@ilot/domain';
import { CommandPayload, commandAckSchema, describeIssue, parseTopic, topics } from '@ilot/mqtt';
import { CommandRepository } from '@ilot/timeseries';
import type { MqttClient } from 'mqtt';
import { OptimiserMetrics } from './optimiser.metrics';

/** Publishes commands (QoS 1, never retained, MQTT 5 expiry = TTL), records them and their acknowledgements. */
export class CommandDispatcher {
  private readonly logger = new Logger('CommandDispatcher');

  constructor(
    private readonly siteId: string,
    private readonly mqtt: MqttClient,
    private readonly repository: CommandRepository,
    private readonly clock: Clock,
    private readonly metrics: OptimiserMetrics,
    private readonly protocolVersion: 4 | 5,
  ) {}

  async start(): Promise<void> {
    this.mqtt.on('message', (topic, payload) => {
      const parsed = parseTopic(topic);
      if (parsed?.kind === 'commandAck' && parsed.siteId === this.siteId) void this.onAck(parsed.deviceId, payload);
    });
    await this.mqtt.subscribeAsync(topics.allCommandAcks(this.siteId), { qos: 1 });
  }

  async dispatch(deviceId: string, command: CommandPayload, planId: string): Promise<void> {
    const now = this.clock.now();
    await this.repository.insert({
      cmdId: command.cmdId,
      siteId: this.siteId,
      deviceId,
      type: command.type,
      planId,
      issuedAt: new Date(command.issuedAt),
      validFrom: new Date(command.validFrom),
      validUntil: new Date(command.validUntil),
      setpointW: command.setpointW ?? null,
      reason: command.reason,
      payload: command,
    });
    const ttlRealS = Math.max(Math.ceil((Date.parse(command.validUntil) - now.getTime()) / 1000 / this.clock.speedup), 1);
    await this.mqtt.publishAsync(topics.command(this.siteId, deviceId), JSON.stringify(command), {
      qos: 1,
      retain: false,
      properties: this.protocolVersion === 5 ? { messageExpiryInterval: ttlRealS } : undefined,
    });
    this.metrics.commands.inc({ site: this.siteId, type: command.type, status: 'issued' });
  }

  private async onAck(deviceId: string, payload: Buffer): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      this.logger.warn(`ack from ${deviceId} is not JSON`);
      return;
    }
    const parsed = commandAckSchema.safeParse(json);
    if (!parsed.success) {
      this.logger.warn(`ack from ${deviceId} refused: ${describeIssue(parsed.error)}`);
      return;
    }
    const ack = parsed.data;
    try {
      const type = await this.repository.recordAck(ack.cmdId, ack.status, ack.reason, new Date(ack.ts));
      if (type === undefined) return; // unknown command or repeated ack: counted once
      this.metrics.commands.inc({ site: this.siteId, type, status: ack.status });
      if (ack.status === 'rejected') this.logger.warn(`${deviceId} rejected ${ack.cmdId}: ${ack.reason ?? 'no reason given'}`);
    } catch (error) {
      this.logger.error(`ack ${ack.cmdId} not recorded: ${(error as Error).message}`);
    }
  }
}
