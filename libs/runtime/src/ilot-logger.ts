import { ConsoleLogger, type LogLevel } from '@nestjs/common';

/** An operator alert as a log entry: its kind, the site and device concerned and the reason, as fields. */
export interface AlertFields {
  alert: string;
  site: string;
  device?: string;
  reason: string;
  [field: string]: unknown;
}

export function isAlert(message: unknown): message is AlertFields {
  const m = message as Partial<AlertFields> | null;
  return typeof m === 'object' && m !== null && typeof m.alert === 'string' && typeof m.reason === 'string';
}

/** An alert as one line of text: `ALERT command_unacknowledged bat-1 (site demo): ...`. */
export function alertLine(a: AlertFields): string {
  return `ALERT ${a.alert} ${a.device ? `${a.device} ` : ''}(site ${a.site}): ${a.reason}`;
}

export type LogFormat = 'text' | 'json';

/**
 * The apps' logger: Nest's console logger, as readable text (`npm start`, a terminal) or as one JSON object per line
 * for a log shipper (`ILOT_LOG_FORMAT=json`, production). An alert is logged as an object (`logger.warn({alert, site,
 * device, reason, ...})`): in JSON its fields are top-level fields of the entry, in text one `ALERT ...` line.
 */
export class IlotLogger extends ConsoleLogger {
  constructor(format: LogFormat, logLevels: LogLevel[]) {
    super(format === 'json' ? { json: true, colors: false, compact: true, logLevels } : { logLevels });
  }

  protected override stringifyMessage(message: unknown, logLevel: LogLevel): string {
    return super.stringifyMessage(isAlert(message) ? alertLine(message) : message, logLevel);
  }

  protected override getJsonLogObject(
    message: unknown,
    options: Parameters<ConsoleLogger['getJsonLogObject']>[1],
  ): ReturnType<ConsoleLogger['getJsonLogObject']> {
    if (!isAlert(message)) return super.getJsonLogObject(message, options);
    return { ...super.getJsonLogObject(alertLine(message), options), ...message, message: alertLine(message) };
  }
}
