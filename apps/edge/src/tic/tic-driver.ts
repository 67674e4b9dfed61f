import { parseTicFrame, TicFramer, ticReading } from '@ilot/tic';
import { createConnection } from 'node:net';
import { SerialPort } from 'serialport';
import type { DeviceLink } from '../device-link';
import type { TicDeviceConfig } from '../edge.config';

const RECONNECT_MS = { first: 500, max: 30_000 };

/**
 * A Linky's TIC (issue 28), read from a serial port (a TIC USB dongle) or through a TCP serial bridge (ser2net, an
 * ESP TIC dongle's raw port) set to the mode's line (historic 1200 baud, standard 9600 baud, 7E1): the stream cut into frames, each group's checksum checked, a
 * good frame sent as the meter's telemetry at most every `minIntervalS`, a bad one counted and dropped whole. Silent
 * for `silenceS`: offline, reconnected with a backoff.
 */
export class TicDriver {
  private source: { destroy(): void } | undefined;
  private readonly framer = new TicFramer();
  private lastSentMs = 0;
  private lastGoodMs = Date.now();
  private watchdog: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private reconnectMs = RECONNECT_MS.first;
  private stopped = false;
  readonly stats = { frames: 0, badFrames: 0, sent: 0, lastProblem: undefined as string | undefined };

  constructor(
    private readonly config: TicDeviceConfig,
    private readonly link: DeviceLink,
    private readonly log: (line: string) => void,
    /** Every good frame's power, W (a battery on this gateway may track it), before `minIntervalS` thins the telemetry. */
    private readonly onPower: (powerW: number) => void = () => undefined,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
    this.watchdog = setInterval(() => {
      if (Date.now() - this.lastGoodMs > this.config.silenceS * 1000) void this.link.offline().catch(() => undefined);
    }, 250);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.watchdog) clearInterval(this.watchdog);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.source?.destroy();
  }

  /**
   * The meter's line: a local serial port (`serialPath`: 1200 baud historic, 9600 standard, 7 data bits, even parity,
   * one stop bit, as the specification's §5.2 and §6.1 set it) or a TCP serial bridge (`host`, `port`).
   */
  private connect(): void {
    const stream = this.config.serialPath
      ? new SerialPort({
          path: this.config.serialPath,
          baudRate: this.config.mode === 'standard' ? 9600 : 1200,
          dataBits: 7,
          parity: 'even',
          stopBits: 1,
        })
      : createConnection({ host: this.config.host!, port: this.config.port! });
    this.source = stream;
    // 7-bit characters: the parity bit, if the line passes it, is not part of them.
    stream.on('data', (chunk: Buffer) => this.onData(Buffer.from(chunk.map((b) => b & 0x7f)).toString('latin1')));
    stream.on(this.config.serialPath ? 'open' : 'connect', () => (this.reconnectMs = RECONNECT_MS.first));
    stream.on('error', (error: Error) => this.log(`${this.config.id}: ${error.message}`));
    stream.on('close', () => {
      if (this.stopped) return;
      this.reconnectTimer = setTimeout(() => this.connect(), this.reconnectMs);
      this.reconnectMs = Math.min(this.reconnectMs * 2, RECONNECT_MS.max);
    });
  }

  private onData(text: string): void {
    for (const raw of this.framer.push(text)) {
      const frame = parseTicFrame(raw);
      if (!frame.ok) {
        this.stats.badFrames++;
        this.stats.lastProblem = frame.problem;
        continue;
      }
      if (frame.mode !== this.config.mode) {
        this.stats.badFrames++;
        this.stats.lastProblem = `a ${frame.mode} frame on a ${this.config.mode} line`;
        continue;
      }
      this.stats.frames++;
      this.lastGoodMs = Date.now();
      const reading = ticReading(frame);
      if (reading) this.onPower(reading.powerW);
      if (!reading || Date.now() - this.lastSentMs < this.config.minIntervalS * 1000) continue;
      this.lastSentMs = Date.now();
      void (async () => {
        await this.link.online();
        await this.link.telemetry({
          powerW: reading.powerW,
          ...(reading.energyWh !== undefined ? { energyWh: reading.energyWh } : {}),
        });
        this.stats.sent++;
      })().catch((error: Error) => this.log(`${this.config.id}: telemetry not sent: ${error.message}`));
    }
  }
}
