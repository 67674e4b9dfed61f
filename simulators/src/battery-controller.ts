import { CommandPayload } from '@ilot/mqtt';

export type AckDecision = { status: 'applied' } | { status: 'rejected'; reason: string };

/**
 * What a building controller does with battery commands: applies a cmdId at most once (and answers
 * it again the same way when it comes again), refuses
 * what is expired, not yet valid or out of range, and falls back to local self-consumption
 * (never grid charging) when its command's validUntil has passed.
 */
export class BatteryController {
  private current: { setpointW: number; gridTargetW?: number; deviationShare: number; validFromMs: number; validUntilMs: number } | undefined;
  /** The answer given to each cmdId: a command sent again (a retry after a lost ack) gets the same answer and is not applied again. */
  private readonly answered = new Map<string, AckDecision>();
  /** Commands applied, each counted once. */
  applied = 0;
  /** Test hook: the controller acks commands as applied but its inverter stays at 0 W (a fault the service must notice). */
  stuck = false;

  constructor(private readonly limits: { maxChargeW: number; maxDischargeW: number }) {}

  receive(command: CommandPayload, now: Date): AckDecision {
    const previous = this.answered.get(command.cmdId);
    if (previous) return previous;
    const decision = this.decide(command, now);
    this.answered.set(command.cmdId, decision);
    if (this.answered.size > 10_000) this.answered.delete(this.answered.keys().next().value as string);
    return decision;
  }

  private decide(command: CommandPayload, now: Date): AckDecision {
    if (command.type !== 'battery.setpoint') return { status: 'rejected', reason: `a battery does not take ${command.type}` };
    if (command.setpointW === undefined) return { status: 'rejected', reason: 'setpointW missing' };
    const validUntilMs = Date.parse(command.validUntil);
    const validFromMs = Date.parse(command.validFrom);
    if (validUntilMs <= now.getTime()) return { status: 'rejected', reason: `expired at ${command.validUntil}` };
    if (validFromMs >= validUntilMs) return { status: 'rejected', reason: 'validFrom is not before validUntil' };
    if (command.setpointW > this.limits.maxDischargeW || -command.setpointW > this.limits.maxChargeW)
      return { status: 'rejected', reason: `setpointW ${command.setpointW} outside [-${this.limits.maxChargeW}, ${this.limits.maxDischargeW}]` };
    this.current = { setpointW: command.setpointW, gridTargetW: command.gridTargetW, deviationShare: command.deviationShare ?? 1, validFromMs, validUntilMs };
    this.applied++;
    return { status: 'applied' };
  }

  /**
   * The power asked of the battery now: the valid command (its setpoint, corrected by its share of
   * the deviation from the planned grid power when the command carries one), or self-consumption
   * of the net load. `gridWithoutBatteryW` is the connection's power if this battery were idle.
   */
  requestW(now: Date, gridWithoutBatteryW: number): { requestW: number; mode: 'command' | 'fallback' } {
    const t = now.getTime();
    const command = this.current;
    if (this.stuck) return { requestW: 0, mode: 'command' };
    if (command && t >= command.validFromMs && t < command.validUntilMs) {
      const correctionW = command.gridTargetW === undefined ? 0 : command.deviationShare * (gridWithoutBatteryW - command.setpointW - command.gridTargetW);
      return { requestW: command.setpointW + correctionW, mode: 'command' };
    }
    return { requestW: gridWithoutBatteryW, mode: 'fallback' };
  }
}
