import { type Checked, refused } from '@ilot/domain';
import type { RejectReason } from './decode';

/**
 * The bounds of every inbound message, whatever its topic (telemetry, statuses, signals, forecasts, acks) or the HTTP
 * intake: its size, and how far its instant may lie ahead of now (clocks drift) or behind it (lateness). One set per
 * deployment: ILOT_INGEST_MAX_PAYLOAD_BYTES, ILOT_INGEST_MAX_FUTURE_S and ILOT_INGEST_LATENESS_S (libs/runtime's
 * config), read by every app that takes a message in.
 */
export interface InboundLimits {
  maxPayloadBytes: number;
  maxFutureMs: number;
  latenessMs: number;
}

/** An instant a device or a provider stamped: not after now plus the clock drift allowed, not older than the lateness limit. */
export function checkInstant(
  ts: Date,
  now: Date,
  limits: Pick<InboundLimits, 'maxFutureMs'> & Partial<Pick<InboundLimits, 'latenessMs'>>,
  field: string,
): Checked<Date, RejectReason> {
  if (ts.getTime() > now.getTime() + limits.maxFutureMs)
    return refused(
      'future',
      `${field}: ${ts.toISOString()} is after now ${now.toISOString()} + ${limits.maxFutureMs / 1000} s`,
    );
  if (limits.latenessMs !== undefined && ts.getTime() < now.getTime() - limits.latenessMs)
    return refused(
      'too_old',
      `${field}: ${ts.toISOString()} is older than the ${limits.latenessMs / 1000} s lateness limit`,
    );
  return { ok: true, value: ts };
}
