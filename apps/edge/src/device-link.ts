import type { Clock } from '@ilot/domain';
import { type BrokerIdentity, connectMqtt, resendUnmatched, TELEMETRY_RESEND } from '@ilot/mqtt';
import {
  type AckDecision,
  AnswerMemory,
  type CommandPayload,
  deviceUsername,
  readCommand,
  topics,
  validityProblem,
} from '@ilot/protocol';
import type { MqttClient } from 'mqtt';

/** What a device's driver does with a valid, unexpired command: applies it and says how it went. */
export type CommandHandler = (command: CommandPayload) => Promise<AckDecision>;

export interface DeviceLinkOptions {
  mqttUrl: string;
  protocolVersion: 4 | 5;
  siteId: string;
  deviceId: string;
  identity?: BrokerIdentity;
  clock: Clock;
  /** Whether the device takes commands (a battery, an inverter to curtail, a charger); a meter does not. */
  takesCommands: boolean;
  log: (line: string) => void;
}

/**
 * One device's MQTT identity, as docs/controller-guide.md asks of a controller: its user name as client id, a
 * persistent session for a device that takes commands, its Last Will on its status topic and "online" with the same
 * `ts`, telemetry with a `seq` (sent again on a PUBACK "no matching subscribers"), commands parsed, checked (expired,
 * malformed, an older lease) and answered once per cmdId, acks from its own topic. `offline`/`online` say what the
 * gateway sees of the device itself (it stops answering), beside what the Last Will says of the gateway.
 */
export class DeviceLink {
  private client: MqttClient | undefined;
  private seq = 0;
  private readonly answers = new AnswerMemory();
  private handler: CommandHandler | undefined;
  /** The state last published, so that a change is said once. */
  private state: 'online' | 'offline' | undefined;

  constructor(private readonly options: DeviceLinkOptions) {}

  get username(): string {
    return deviceUsername(this.options.siteId, this.options.deviceId);
  }

  /** Connects with the Last Will; commands go to `handler` once it is given. */
  async connect(handler?: CommandHandler): Promise<void> {
    this.handler = handler;
    const { siteId, deviceId, takesCommands } = this.options;
    const connectedTs = this.options.clock.now().toISOString();
    this.client = await connectMqtt(
      {
        url: this.options.mqttUrl,
        clientId: this.username,
        protocolVersion: this.options.protocolVersion,
        clean: !takesCommands,
        sessionExpiryS: takesCommands ? 3600 : undefined,
        identity: this.options.identity,
        will: {
          topic: topics.status(siteId, deviceId),
          payload: JSON.stringify({ state: 'offline', ts: connectedTs }),
          retain: true,
          qos: 1,
        },
      },
      // Before CONNECT: a resumed session's queued commands can come with the CONNACK.
      (c) => takesCommands && c.on('message', (_topic, payload) => void this.onCommand(payload)),
    );
    this.client.on('error', (error) => this.options.log(`${deviceId}: ${error.message}`));
    resendUnmatched(this.client, { topics: (topic) => topic.endsWith('/telemetry'), ...TELEMETRY_RESEND });
    await this.publishStatus('online', connectedTs);
    if (takesCommands) await this.client.subscribeAsync(topics.command(siteId, deviceId), { qos: 1 });
  }

  /**
   * The device answers again (after `offline`): a new session, whose Last Will and "online" carry the new instant (an
   * "online" at a new instant under the old Will would outdate the Will: the service applies the newest `ts`).
   */
  async online(): Promise<void> {
    if (this.state !== 'offline') return;
    await this.client?.endAsync();
    await this.connect(this.handler);
  }

  /** The device stopped answering its bus: "offline", retained, so the planner leaves it out. */
  async offline(): Promise<void> {
    if (this.state !== 'offline') await this.publishStatus('offline', this.options.clock.now().toISOString());
  }

  private async publishStatus(state: 'online' | 'offline', ts: string): Promise<void> {
    this.state = state;
    await this.client?.publishAsync(
      topics.status(this.options.siteId, this.options.deviceId),
      JSON.stringify({ state, ts }),
      { qos: 1, retain: true },
    );
  }

  /** A reading, stamped now, with the next `seq`. */
  async telemetry(reading: { powerW: number; energyWh?: number; socPct?: number }): Promise<void> {
    const payload = { ts: this.options.clock.now().toISOString(), seq: ++this.seq, ...reading };
    await this.client?.publishAsync(
      topics.telemetry(this.options.siteId, this.options.deviceId),
      JSON.stringify(payload),
      { qos: 1 },
    );
  }

  private async onCommand(payload: Buffer): Promise<void> {
    const read = readCommand(payload);
    if (!read.ok) {
      if (read.cmdId) await this.ack(read.cmdId, { status: 'rejected', reason: read.reason });
      else this.options.log(`${this.options.deviceId}: a command refused, no cmdId to answer: ${read.reason}`);
      return;
    }
    const command = read.command;
    const decision = await this.answers.answerAsync(command, async () => {
      const invalid = validityProblem(command, this.options.clock.now());
      if (invalid) return { status: 'rejected', reason: invalid };
      if (!this.handler) return { status: 'rejected', reason: `${this.options.deviceId} takes no commands` };
      return this.handler(command);
    });
    await this.ack(command.cmdId, decision);
  }

  private async ack(cmdId: string, decision: AckDecision): Promise<void> {
    await this.client?.publishAsync(
      topics.commandAck(this.options.siteId, this.options.deviceId),
      JSON.stringify({ cmdId, ...decision, ts: this.options.clock.now().toISOString() }),
      { qos: 1 },
    );
  }

  /** A clean goodbye: "offline" retained (as the Last Will would), then the session ends. */
  async close(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    await client
      .publishAsync(
        topics.status(this.options.siteId, this.options.deviceId),
        JSON.stringify({ state: 'offline', ts: this.options.clock.now().toISOString() }),
        { qos: 1, retain: true },
      )
      .catch(() => undefined);
    await client.endAsync();
  }
}
