import { type BatterySetpoint, batteryPowerAskedW, CommandPayload } from '@ilot/protocol';
import { type AckDecision, AnswerMemory, validityProblem } from '@ilot/protocol';

/**
 * What a building controller does with battery commands: applies a cmdId at most once (and answers
 * it again the same way when it comes again), refuses
 * what is expired, not yet valid or out of range, and falls back to local self-consumption
 * (never grid charging) when its command's validUntil has passed.
 */
export class BatteryController {
  private current:
    | (Pick<BatterySetpoint, 'setpointW' | 'gridTargetW' | 'deviationShare' | 'gridLimitW'> & {
        validFromMs: number;
        validUntilMs: number;
      })
    | undefined;
  private readonly answers = new AnswerMemory();
  /** Commands applied, each counted once. */
  applied = 0;
  /**
   * Test hook: the controller acks commands as applied but its inverter stays at this power, W, whatever they ask (a
   * fault the service must notice; not 0, which an idle battery's command asks).
   */
  stuckAtW: number | undefined;

  constructor(private readonly limits: { maxChargeW: number; maxDischargeW: number }) {}

  receive(command: CommandPayload, now: Date): AckDecision {
    return this.answers.answer(command, () => this.decide(command, now));
  }

  private decide(command: CommandPayload, now: Date): AckDecision {
    if (command.type !== 'battery.setpoint')
      return { status: 'rejected', reason: `a battery does not take ${command.type}` };
    const invalid = validityProblem(command, now);
    if (invalid) return { status: 'rejected', reason: invalid };
    const validUntilMs = Date.parse(command.validUntil);
    const validFromMs = Date.parse(command.validFrom);
    if (command.setpointW > this.limits.maxDischargeW || -command.setpointW > this.limits.maxChargeW)
      return {
        status: 'rejected',
        reason: `setpointW ${command.setpointW} outside [-${this.limits.maxChargeW}, ${this.limits.maxDischargeW}]`,
      };
    this.current = {
      setpointW: command.setpointW,
      gridTargetW: command.gridTargetW,
      deviationShare: command.deviationShare,
      gridLimitW: command.gridLimitW,
      validFromMs,
      validUntilMs,
    };
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
    if (this.stuckAtW !== undefined) return { requestW: this.stuckAtW, mode: 'command' };
    if (command && t >= command.validFromMs && t < command.validUntilMs)
      return { requestW: batteryPowerAskedW(command, gridWithoutBatteryW), mode: 'command' };
    return { requestW: gridWithoutBatteryW, mode: 'fallback' };
  }
}
