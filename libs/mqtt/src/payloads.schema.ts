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
export const telemetryPayloadSchema = z.union([telemetryReadingSchema, z.strictObject({ values: z.array(telemetryReadingSchema).min(1).max(1000) })]);
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
