import { z } from 'zod';

/** ISO 8601 instant with an explicit zone (Z or ±hh:mm), as DESIGN.md requires on the wire. */
export const isoInstant = z.iso.datetime({ offset: true });

export const telemetryReadingSchema = z.strictObject({
  ts: isoInstant,
  seq: z.number().int().nonnegative(),
  powerW: z.number(),
  energyWh: z.number().optional(),
  socPct: z.number().optional(),
});
export const telemetryPayloadSchema = z.union([
  telemetryReadingSchema,
  z.strictObject({ values: z.array(telemetryReadingSchema).min(1).max(1000) }),
]);
export type TelemetryReading = z.infer<typeof telemetryReadingSchema>;
export type TelemetryPayload = z.infer<typeof telemetryPayloadSchema>;

export const statusPayloadSchema = z.strictObject({ state: z.enum(['online', 'offline']), ts: isoInstant });
export type StatusPayload = z.infer<typeof statusPayloadSchema>;

export const COMMAND_TYPES = ['battery.setpoint', 'load.limit', 'pv.curtail'] as const;
export const commandPayloadSchema = z.strictObject({
  cmdId: z.uuid(),
  type: z.enum(COMMAND_TYPES),
  issuedAt: isoInstant,
  validFrom: isoInstant,
  validUntil: isoInstant,
  setpointW: z.number().optional(),
  maxW: z.number().optional(),
  /**
   * battery.setpoint only, optional: the grid power the plan expects at the connection. A
   * controller that measures the connection then absorbs its share of any deviation from the
   * plan: power = setpointW + deviationShare x (grid power without this battery - setpointW - gridTargetW).
   */
  gridTargetW: z.number().optional(),
  deviationShare: z.number().min(0).max(1).optional(),
  reason: z.string().min(1),
});
export type CommandPayload = z.infer<typeof commandPayloadSchema>;

export const commandAckSchema = z.strictObject({
  cmdId: z.uuid(),
  status: z.enum(['applied', 'rejected']),
  reason: z.string().optional(),
  ts: isoInstant,
});
export type CommandAck = z.infer<typeof commandAckSchema>;

/** First problem of a failed parse, as "path: message", for reject reasons. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const path = issue.path.length ? issue.path.join('.') : '(root)';
  return `${path}: ${issue.message}`;
}

/**
 * The `signals` topic (DESIGN.md): an aggregator's effacement order, an EcoWatt level over a
 * period (3 = red, 2 = orange: reduce), or the Tempo colour of a day.
 */
export const signalPayloadSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('effacement'),
    id: z.string().regex(/^[A-Za-z0-9_.:-]{1,64}$/, 'letters, digits and _ . : - (at most 64)'),
    start: isoInstant,
    end: isoInstant,
    reductionW: z.number().positive('must be a positive power, W'),
  }),
  z.strictObject({
    type: z.literal('ecowatt'),
    level: z.union([z.literal(1), z.literal(2), z.literal(3)]),
    start: isoInstant,
    end: isoInstant,
  }),
  z.strictObject({ type: z.literal('tempo'), date: z.iso.date(), color: z.enum(['blue', 'white', 'red']) }),
]);
export type SignalPayload = z.infer<typeof signalPayloadSchema>;

/**
 * A signal as the `signals` topic and `POST /signals` both take it: the schema first, then what a
 * well-formed signal may still get wrong at `now` (an empty or past period), each with its reason.
 */
export function validateSignal(
  json: unknown,
  now: Date,
): { ok: true; value: SignalPayload } | { ok: false; reason: 'schema' | 'out_of_range'; detail: string } {
  const parsed = signalPayloadSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: 'schema', detail: describeIssue(parsed.error) };
  const problem = signalProblem(parsed.data, now);
  return problem ? { ok: false, reason: 'out_of_range', detail: problem } : { ok: true, value: parsed.data };
}

function signalProblem(signal: SignalPayload, now: Date): string | undefined {
  if (signal.type === 'tempo') return undefined;
  const start = Date.parse(signal.start);
  const end = Date.parse(signal.end);
  if (end <= start) return `end ${signal.end} is not after start ${signal.start}`;
  if (end <= now.getTime()) return `the period ended at ${signal.end}, before now (${now.toISOString()})`;
  return undefined;
}
