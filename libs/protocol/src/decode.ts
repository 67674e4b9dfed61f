import { accepted, type Checked, refused } from '@ilot/domain';
import { z } from 'zod';

/** Why an inbound message is refused: the label of `ilot_ingest_rejected_total{topic,reason}` and of a stored reject. */
export const REJECT_REASONS = [
  'oversized',
  'malformed_json',
  'schema',
  'unknown_site',
  'unknown_device',
  'wrong_device',
  'out_of_range',
  'future',
  'too_old',
  'duplicate',
  'rate_limited',
  'out_of_order',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

export interface DecodeLimits {
  maxPayloadBytes: number;
}

/** The bounds of an inbound message by default: ingestion's telemetry limits (ILOT_INGEST_MAX_PAYLOAD_BYTES, _MAX_FUTURE_S). */
export const INBOUND_DEFAULTS = { maxPayloadBytes: 65_536, maxFutureMs: 300_000 } as const;

/**
 * The one way an inbound message becomes a value: size, then JSON, then the schema, each refusal with its reason and
 * the fields at fault. Every inbound topic (telemetry, status, signals, acks) and the HTTP intake go through it.
 */
export function decode<S extends z.ZodType>(
  payload: Buffer | string,
  schema: S,
  limits: DecodeLimits,
): Checked<z.output<S>, RejectReason> {
  const bytes = typeof payload === 'string' ? Buffer.byteLength(payload) : payload.length;
  if (bytes > limits.maxPayloadBytes) return refused('oversized', `${bytes} bytes > ${limits.maxPayloadBytes}`);
  let json: unknown;
  try {
    json = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (error) {
    return refused('malformed_json', (error as Error).message);
  }
  return validate(json, schema);
}

/** A parsed JSON value (an HTTP body) against a schema: the value, or every problem naming its field. */
export function validate<S extends z.ZodType>(json: unknown, schema: S): Checked<z.output<S>, 'schema'> {
  const parsed = schema.safeParse(json);
  return parsed.success ? accepted(parsed.data) : refused('schema', ...describeIssues(parsed.error.issues));
}

/**
 * Each problem as "path: message". A union's failure names the branch that came closest (fewest problems), so a
 * reading with a bad `powerW` says `powerW: ...`, not `(root): Invalid input`.
 */
export function describeIssues(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): string[] {
  return issues.flatMap((issue) => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0];
      if (closest.length > 0) return describeIssues(closest, path);
    }
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => `${[...path, key].map(String).join('.')}: unknown field`);
    return [`${path.length ? path.map(String).join('.') : '(root)'}: ${issue.message}`];
  });
}
