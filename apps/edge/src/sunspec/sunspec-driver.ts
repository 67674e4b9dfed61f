import type { Clock } from '@ilot/domain';
import { type AckDecision, batteryPowerAskedW, type BatterySetpoint, type CommandPayload } from '@ilot/protocol';
import {
  batterySetpointWrites,
  curtailWrites,
  decodeModel,
  type DeviceModels,
  discoverMap,
  type MapEntry,
  type PointWrite,
  readBackMismatch,
  readingOf,
  readModel,
  releaseWrites,
  storageLimitW,
  SUNSPEC_MODELS,
  type WritePlan,
} from '@ilot/sunspec';
import type { DeviceLink } from '../device-link';
import type { SunSpecDeviceConfig } from '../edge.config';
import { ModbusConnection } from './modbus-connection';

/** Missed polls after which a device is reported offline. */
export const OFFLINE_AFTER_POLLS = 3;
/** A tracking battery's setpoint is written again when what it is asked moves by more than this, W (or 1 % of WChaMax). */
const TRACK_DEADBAND_W = 50;
/**
 * A grid reading counts for tracking only if it was taken this long after the battery's last write, real ms: a reading
 * from before the battery moved, added to its new power, would count the move twice and the loop would run away
 * (regression: with the meter silent, a last reading kept for 10 s drove the battery from 2 kW to -5 kW).
 */
const TRACK_SETTLE_MS = 1000;
/** Reconnection waits, ms: doubled from the first to the last. */
const RECONNECT_MS = { first: 500, max: 30_000 };

/**
 * A SunSpec Modbus TCP device behind the gateway (issue 28): finds its map, polls its models every `pollS` and sends
 * the reading; applies `battery.setpoint` (model 124) and `pv.curtail` (123 or 704) with the device's own revert
 * timer set to the time left, reads back and acks `applied` only when the registers hold what was written (a Modbus
 * exception is a rejection naming it); at `validUntil` with no newer command, hands the device back to its own mode.
 * A device that misses OFFLINE_AFTER_POLLS polls is reported offline, and reconnected with backoff.
 */
export class SunSpecDriver {
  private connection: ModbusConnection | undefined;
  private map: MapEntry[] | undefined;
  private models: DeviceModels = new Map();
  private timer: NodeJS.Timeout | undefined;
  private releaseTimer: NodeJS.Timeout | undefined;
  private missed = 0;
  private reconnectMs = RECONNECT_MS.first;
  private nextConnectAtMs = 0;
  private stopped = false;
  /** Serialises polls and commands on the one connection. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The battery command in force that tracks the connection, and the power last written for it, W. */
  private tracked: { command: BatterySetpoint; writtenW: number; writtenAtMs: number } | undefined;
  /** Round trips, ms: a command's writes and read-back (for the closing figures and /metrics). */
  readonly stats = { polls: 0, pollErrors: 0, commandRoundTripMs: [] as number[], trackingWrites: 0 };

  constructor(
    private readonly config: SunSpecDeviceConfig,
    private readonly link: DeviceLink,
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
    /** The connection's last power, W (> 0 importing), and when it was read, from the building's meter on this gateway. */
    private readonly gridW?: () => { powerW: number; atMs: number } | undefined,
  ) {}

  start(): void {
    this.stopped = false;
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.config.pollS * 1000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    await this.queue.catch(() => undefined);
    await this.connection?.close();
  }

  /** The link's command handler. */
  readonly apply = (command: CommandPayload): Promise<AckDecision> => this.serial(() => this.applyNow(command));

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.queue.then(work, work);
    this.queue = next.catch(() => undefined);
    return next;
  }

  private poll(): Promise<void> {
    return this.serial(async () => {
      if (this.stopped) return;
      try {
        await this.ensureConnected();
        await this.readModels();
        this.stats.polls++;
        this.missed = 0;
        this.reconnectMs = RECONNECT_MS.first;
        await this.link.online();
        const reading = readingOf(this.models);
        if (reading) await this.link.telemetry(reading);
        if (reading) await this.track(reading.powerW);
      } catch (error) {
        this.stats.pollErrors++;
        this.missed++;
        this.log(`${this.config.id}: poll failed (${this.missed} in a row): ${(error as Error).message}`);
        if (this.missed >= OFFLINE_AFTER_POLLS) await this.link.offline().catch(() => undefined);
        await this.dropConnection();
      }
    });
  }

  /** A connection and the device's map, found again after a reconnection (a device may have been replaced). */
  private async ensureConnected(): Promise<void> {
    if (this.connection?.isOpen && this.map) return;
    const now = Date.now();
    if (now < this.nextConnectAtMs) throw new Error(`reconnecting in ${this.nextConnectAtMs - now} ms`);
    this.nextConnectAtMs = now + this.reconnectMs;
    this.reconnectMs = Math.min(this.reconnectMs * 2, RECONNECT_MS.max);
    const connection = new ModbusConnection(this.config);
    await connection.open();
    this.connection = connection;
    const map = await discoverMap((address, count) => connection.read(address, count));
    if (!map.ok) throw new Error(map.problem);
    this.map = map.models.filter((m) => SUNSPEC_MODELS.has(m.id));
    this.log(`${this.config.id}: SunSpec map at ${map.base}, models ${map.models.map((m) => m.id).join(', ')}`);
  }

  private async dropConnection(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    this.map = undefined;
    await connection?.close().catch(() => undefined);
  }

  private async readModels(): Promise<void> {
    const connection = this.connection!;
    const models = new Map<number, { entry: MapEntry; values: ReturnType<typeof decodeModel> }>();
    for (const entry of this.map!) {
      const registers = await readModel((address, count) => connection.read(address, count), entry);
      models.set(entry.id, { entry, values: decodeModel(SUNSPEC_MODELS.get(entry.id)!, registers) });
    }
    this.models = models;
  }

  private async applyNow(command: CommandPayload): Promise<AckDecision> {
    // A command can come before the first poll (a resumed session's queue arrives with the CONNACK): reach the device
    // first. Regression: the first command after a restart was refused "does not answer" (gateway kill -9 fault spec).
    if (!this.connection?.isOpen || !this.map) {
      try {
        await this.ensureConnected();
        await this.readModels();
      } catch (error) {
        return { status: 'rejected', reason: `${this.config.id} does not answer: ${(error as Error).message}` };
      }
    }
    // The device's own timer: what is left of the command's validity, in the device's (real) seconds.
    const leftS = (Date.parse(command.validUntil) - this.clock.now().getTime()) / this.clock.speedup / 1000;
    let plan: WritePlan;
    switch (command.type) {
      case 'battery.setpoint':
        plan = batterySetpointWrites(this.models, command.setpointW, leftS);
        break;
      case 'pv.curtail':
        plan = curtailWrites(this.models, command.maxW, leftS);
        break;
      case 'load.limit':
      case 'ev.limit':
        return { status: 'rejected', reason: `a SunSpec device does not take ${command.type}` };
    }
    if (!plan.ok) return { status: 'rejected', reason: plan.reason };
    const started = Date.now();
    try {
      await this.write(plan.writes);
      await this.readModels();
    } catch (error) {
      return { status: 'rejected', reason: (error as Error).message };
    }
    const mismatch = readBackMismatch(this.models, plan.writes);
    if (mismatch) return { status: 'rejected', reason: `read back: ${mismatch}` };
    this.stats.commandRoundTripMs.push(Date.now() - started);
    this.log(`${this.config.id}: ${command.type} ${command.cmdId} -> ${plan.describe}`);
    this.tracked =
      command.type === 'battery.setpoint' &&
      this.gridW &&
      (command.gridTargetW !== undefined || command.gridLimitW !== undefined)
        ? { command, writtenW: command.setpointW, writtenAtMs: Date.now() }
        : undefined;
    this.releaseAt(command.validUntil);
    return { status: 'applied' };
  }

  /**
   * A battery that tracks the connection (docs/controller-guide.md): at each poll, what the command asks given the
   * connection's power without this battery (the meter's reading plus the battery's own), within WChaMax, written again
   * when it moved by more than the deadband. No grid reading taken since the battery settled: the last power written
   * holds.
   */
  private async track(batteryW: number): Promise<void> {
    const tracked = this.tracked;
    const grid = tracked && this.gridW?.();
    if (!tracked || !grid || grid.atMs < tracked.writtenAtMs + TRACK_SETTLE_MS) return;
    const leftS = (Date.parse(tracked.command.validUntil) - this.clock.now().getTime()) / this.clock.speedup / 1000;
    const maxW = storageLimitW(this.models);
    if (leftS <= 0 || maxW === undefined) return;
    const askedW = Math.min(Math.max(batteryPowerAskedW(tracked.command, grid.powerW + batteryW), -maxW), maxW);
    if (Math.abs(askedW - tracked.writtenW) < Math.max(TRACK_DEADBAND_W, maxW / 100)) return;
    const plan = batterySetpointWrites(this.models, Math.round(askedW), leftS);
    if (!plan.ok) return this.log(`${this.config.id}: tracking: ${plan.reason}`);
    await this.write(plan.writes);
    tracked.writtenW = askedW;
    tracked.writtenAtMs = Date.now();
    this.stats.trackingWrites++;
  }

  private async write(writes: readonly PointWrite[]): Promise<void> {
    for (const w of writes) await this.connection!.write(w.address, w.registers);
  }

  /**
   * At `validUntil` with no newer command applied, the device goes back to its own mode (its revert timer does it
   * too, if the gateway is gone by then).
   */
  private releaseAt(validUntil: string): void {
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    const delayMs = Math.max((Date.parse(validUntil) - this.clock.now().getTime()) / this.clock.speedup, 0);
    this.releaseTimer = setTimeout(() => {
      void this.serial(async () => {
        if (!this.connection?.isOpen) return;
        this.tracked = undefined;
        const writes = releaseWrites(this.models);
        await this.write(writes).catch((error: Error) =>
          this.log(`${this.config.id}: release failed: ${error.message}`),
        );
        this.log(`${this.config.id}: command expired, device back in its own mode`);
      });
    }, delayMs);
    this.releaseTimer.unref?.();
  }
}
