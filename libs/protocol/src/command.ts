import type { Checked } from '@ilot/domain';
import { z } from 'zod';
import { decode, type RejectReason } from './decode';
import { checkInstant, type InboundLimits } from './inbound-limits';
import { isoInstant } from './instant';

/** What every command carries (docs/design.md, "MQTT topics"): a controller applies a cmdId at most once, and only until validUntil. */
const commandEnvelope = {
  cmdId: z.uuid(),
  issuedAt: isoInstant,
  validFrom: isoInstant,
  validUntil: isoInstant,
  reason: z.string().min(1).max(200),
  /**
   * Many îlots (issue 14): the fencing token of the planner's lease on the site. It grows when the site passes to
   * another planner instance; a controller that has applied a command with a higher token refuses a lower one (a
   * planner that lost the site, paused or cut off, commands nothing). Absent for a single-site deployment.
   */
  leaseToken: z.number().int().positive().optional(),
};

export const batterySetpointSchema = z.strictObject({
  ...commandEnvelope,
  type: z.literal('battery.setpoint'),
  /** Battery power, W: > 0 discharging, < 0 charging. */
  setpointW: z.number(),
  /**
   * Optional: the grid power the plan expects at the connection. A controller that measures the connection then
   * absorbs its share of any deviation from the plan: power = setpointW + deviationShare x (grid power without this
   * battery - setpointW - gridTargetW). A controller that ignores it still gets `setpointW`.
   */
  gridTargetW: z.number().optional(),
  deviationShare: z.number().min(0).max(1).optional(),
  /**
   * Optional: a hard ceiling on the connection's import, W (the contracted power). Whatever the setpoint, a controller
   * that measures the connection discharges further (or charges less), as far as its power and SoC allow, to keep the
   * measured import at or below it, its `deviationShare` of the excess. One that ignores it still gets `setpointW`.
   */
  gridLimitW: z.number().optional(),
});

/**
 * The power a `battery.setpoint` asks of its battery at an instant, W (> 0 discharge), as a controller that measures
 * the connection applies it (docs/design.md): the setpoint, plus its share of the deviation from the planned grid power
 * (`gridTargetW`), then whatever more keeps the import under `gridLimitW`. `gridWithoutBatteryW` is the connection's
 * power were this battery idle. The battery's own ratings and SoC limit the result; the controller applies them.
 */
export function batteryPowerAskedW(
  command: Pick<BatterySetpoint, 'setpointW' | 'gridTargetW' | 'deviationShare' | 'gridLimitW'>,
  gridWithoutBatteryW: number,
): number {
  const share = command.deviationShare ?? 1;
  let askedW =
    command.gridTargetW === undefined
      ? command.setpointW
      : command.setpointW + share * (gridWithoutBatteryW - command.setpointW - command.gridTargetW);
  if (command.gridLimitW !== undefined) {
    const excessW = gridWithoutBatteryW - askedW - command.gridLimitW;
    if (excessW > 0) askedW += share * excessW;
  }
  return askedW;
}

/** A sheddable load (heat pump, water heater) may draw at most `maxW` until validUntil. */
export const loadLimitSchema = z.strictObject({
  ...commandEnvelope,
  type: z.literal('load.limit'),
  maxW: z.number().min(0),
});

/**
 * An EV charger may charge at most `maxW` until validUntil; after it, the charger falls back to charging as its driver
 * asked (full power until the car has its energy): a late plan never strands a driver.
 */
export const evLimitSchema = z.strictObject({
  ...commandEnvelope,
  type: z.literal('ev.limit'),
  maxW: z.number().min(0),
});

/** A PV inverter may produce at most `maxW` until validUntil (in the contract; the planner does not send it yet). */
export const pvCurtailSchema = z.strictObject({
  ...commandEnvelope,
  type: z.literal('pv.curtail'),
  maxW: z.number().min(0),
});

/** The command document, one shape per `type`; a later type is one more member here. */
export const commandPayloadSchema = z.discriminatedUnion('type', [
  batterySetpointSchema,
  loadLimitSchema,
  evLimitSchema,
  pvCurtailSchema,
]);
export type CommandPayload = z.infer<typeof commandPayloadSchema>;
export type CommandType = CommandPayload['type'];
export type BatterySetpoint = z.infer<typeof batterySetpointSchema>;
export type LoadLimit = z.infer<typeof loadLimitSchema>;
export type EvLimit = z.infer<typeof evLimitSchema>;
export const COMMAND_TYPES = commandPayloadSchema.options.map((o) => o.shape.type.value) as CommandType[];

export const commandAckSchema = z.strictObject({
  cmdId: z.uuid(),
  status: z.enum(['applied', 'rejected']),
  reason: z.string().max(500).optional(),
  ts: isoInstant,
});
export type CommandAck = z.infer<typeof commandAckSchema>;

/**
 * A controller's answer on its ack topic -> the ack and its instant, or the reason it is refused: size, JSON, schema,
 * then its `ts` not ahead of now (the same instant check as every inbound message). Whether the command was sent to
 * that device, and before the ack, the dispatcher knows. Pure.
 */
export function decodeCommandAck(
  payload: Buffer | string,
  now: Date,
  limits: InboundLimits,
): Checked<CommandAck & { ackedAt: Date }, RejectReason> {
  const decoded = decode(payload, commandAckSchema, limits);
  if (!decoded.ok) return decoded;
  const ackedAt = checkInstant(new Date(decoded.value.ts), now, { maxFutureMs: limits.maxFutureMs }, 'ts');
  return ackedAt.ok ? { ok: true, value: { ...decoded.value, ackedAt: ackedAt.value } } : ackedAt;
}
