import type { Clock } from '@ilot/domain';
import { commandPayloadSchema, connectMqtt, describeIssue, topics } from '@ilot/mqtt';
import type { MqttClient } from 'mqtt';
import { IlotWorld } from './ilot-world';

export interface SimulatorOptions {
  mqttUrl: string;
  protocolVersion: 4 | 5;
  /** Time between two readings of a device, simulated milliseconds. */
  periodSimMs: number;
  log?: (line: string) => void;
}

/**
 * The MQTT edge of the simulated devices: one MQTT session per device (its own Last Will on its
 * status topic), telemetry with a `seq` every period, battery and load controllers that take commands
 * and acknowledge them.
 */
export class SimulatorRunner {
  private readonly clients = new Map<string, MqttClient>();
  /** Devices told (by a test) to stop sending telemetry. */
  private readonly silenced = new Set<string>();
  private readonly ackDrops = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  /** Counts for tests and the demo's summary. */
  readonly stats = { telemetrySent: 0, commandsReceived: 0, acksSent: 0, acksDropped: 0 };

  constructor(
    readonly world: IlotWorld,
    private readonly clock: Clock,
    private readonly options: SimulatorOptions,
  ) {}

  async start(): Promise<void> {
    const siteId = this.world.site.id;
    const deviceIds = [...this.world.site.devices.keys()];
    await Promise.all(
      deviceIds.map(async (deviceId) => {
        const client = await connectMqtt({
          url: this.options.mqttUrl,
          clientId: `sim-${siteId}-${deviceId}`,
          protocolVersion: this.options.protocolVersion,
          will: {
            topic: topics.status(siteId, deviceId),
            payload: JSON.stringify({ state: 'offline', ts: this.clock.now().toISOString() }),
            retain: true,
            qos: 1,
          },
        });
        client.on('error', (error) => this.options.log?.(`${deviceId}: ${error.message}`));
        this.clients.set(deviceId, client);
        await client.publishAsync(topics.status(siteId, deviceId), JSON.stringify({ state: 'online', ts: this.clock.now().toISOString() }), {
          qos: 1,
          retain: true,
        });
        if (this.world.takesCommands(deviceId)) {
          client.on('message', (_topic, payload) => void this.onCommand(deviceId, payload));
          await client.subscribeAsync(topics.command(siteId, deviceId), { qos: 1 });
        }
      }),
    );
    const periodRealMs = this.options.periodSimMs / this.clock.speedup;
    this.tick();
    this.timer = setInterval(() => this.tick(), periodRealMs);
  }

  private tick(): void {
    if (this.ticking) return;
    this.ticking = true;
    const siteId = this.world.site.id;
    const readings = this.world.step(this.clock.now()).filter((r) => !this.silenced.has(r.deviceId));
    Promise.all(
      readings.map((r) =>
        this.clients
          .get(r.deviceId)
          ?.publishAsync(
            topics.telemetry(siteId, r.deviceId),
            JSON.stringify({ ts: r.ts.toISOString(), seq: r.seq, powerW: r.powerW, ...(r.socPct === undefined ? {} : { socPct: r.socPct }) }),
            { qos: 1 },
          )
          .then(() => this.stats.telemetrySent++),
      ),
    )
      .catch((error: Error) => this.options.log?.(`telemetry not sent: ${error.message}`))
      .finally(() => (this.ticking = false));
  }

  private async onCommand(deviceId: string, payload: Buffer): Promise<void> {
    this.stats.commandsReceived++;
    let json: unknown;
    try {
      json = JSON.parse(payload.toString('utf8'));
    } catch {
      this.options.log?.(`${deviceId}: command is not JSON, ignored`);
      return;
    }
    const parsed = commandPayloadSchema.safeParse(json);
    const now = this.clock.now();
    if (!parsed.success) {
      const cmdId = (json as { cmdId?: unknown })?.cmdId;
      if (typeof cmdId === 'string') await this.ack(deviceId, { cmdId, status: 'rejected', reason: describeIssue(parsed.error), ts: now.toISOString() });
      return;
    }
    const decision = this.world.command(deviceId, parsed.data, now);
    await this.ack(deviceId, { cmdId: parsed.data.cmdId, ...decision, ts: now.toISOString() });
  }

  /** Test hook: the next `count` acks of a device are lost (the controller acts, its answer never arrives). */
  dropAcks(deviceId: string, count: number): void {
    this.ackDrops.set(deviceId, count);
  }

  private async ack(deviceId: string, ack: { cmdId: string; status: string; reason?: string; ts: string }): Promise<void> {
    const drops = this.ackDrops.get(deviceId) ?? 0;
    if (drops > 0) {
      this.ackDrops.set(deviceId, drops - 1);
      this.stats.acksDropped++;
      return;
    }
    await this.clients.get(deviceId)?.publishAsync(topics.commandAck(this.world.site.id, deviceId), JSON.stringify(ack), { qos: 1 });
    this.stats.acksSent++;
  }

  /** Test hook: the device stops sending telemetry but stays connected (it turns stale). */
  silence(deviceId: string): void {
    this.silenced.add(deviceId);
  }

  /** Test hook: the device's network drops without a goodbye, so the broker publishes its Last Will; it does not come back. */
  dropConnection(deviceId: string): void {
    const client = this.clients.get(deviceId);
    if (!client) throw new Error(`no simulated device "${deviceId}"`);
    this.silenced.add(deviceId);
    this.clients.delete(deviceId);
    client.options.reconnectPeriod = 0;
    client.stream.destroy();
    client.end(true);
  }

  /** Stops cleanly: devices say they are offline (retained), sessions close. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const siteId = this.world.site.id;
    await Promise.all(
      [...this.clients].map(async ([deviceId, client]) => {
        await client
          .publishAsync(topics.status(siteId, deviceId), JSON.stringify({ state: 'offline', ts: this.clock.now().toISOString() }), { qos: 1, retain: true })
          .catch(() => undefined);
        await client.endAsync();
      }),
    );
    this.clients.clear();
  }
}
