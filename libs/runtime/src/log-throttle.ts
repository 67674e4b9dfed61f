import type { Logger } from '@nestjs/common';

/**
 * Logs at most one line per `periodMs` for a kind of event, with how many happened since the last line: a flood of
 * bad messages or failed writes never becomes a flood of log lines. Real time (it paces a log, not a plan).
 */
export class LogThrottle {
  private readonly last = new Map<string, { atMs: number; suppressed: number }>();

  constructor(
    private readonly logger: Pick<Logger, 'log' | 'warn' | 'error'>,
    private readonly periodMs = 1000,
    private readonly nowMs: () => number = Date.now,
  ) {}

  log(kind: string, message: string): void {
    this.emit('log', kind, message);
  }

  warn(kind: string, message: string): void {
    this.emit('warn', kind, message);
  }

  error(kind: string, message: string): void {
    this.emit('error', kind, message);
  }

  private emit(level: 'log' | 'warn' | 'error', kind: string, message: string): void {
    const now = this.nowMs();
    const entry = this.last.get(kind);
    if (entry && now - entry.atMs < this.periodMs) {
      entry.suppressed++;
      return;
    }
    const more = entry?.suppressed ? ` (and ${entry.suppressed} more since the last line)` : '';
    this.logger[level](`${message}${more}`);
    this.last.set(kind, { atMs: now, suppressed: 0 });
  }
}
