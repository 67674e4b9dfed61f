import { CommandPayload } from '@ilot/protocol';
import { type AckDecision, AnswerMemory, validityProblem } from '@ilot/protocol';

/**
 * What the controller of a sheddable load (heat pump, water heater) does with `load.limit` commands:
 * caps the load's power at `maxW` while the command is valid, applies a cmdId at most once, refuses
 * what is expired or negative, and falls back at `validUntil` to the load's own demand, plus the
 * energy it was denied (a heated building or a tank catches up: the rebound), up to its rated power. It owes at most
 * its comfort's worth (`maxDebtWh`): past it, it draws what it needs whatever the limit.
 */
export class LoadController {
  private current: { maxW: number; validFromMs: number; validUntilMs: number } | undefined;
  private readonly answers = new AnswerMemory();
  /** Energy shed and not yet made up, Wh. */
  debtWh = 0;
  /** Energy shed under limits so far, Wh (what the load gave). */
  shedWh = 0;
  applied = 0;

  constructor(
    private readonly spec: {
      id: string;
      ratedW: number;
      recoveryRatio: number;
      /**
       * The most energy it will owe, Wh: past it, comfort wins and a limit is obeyed only down to what keeps the debt
       * there (a thermostat does not let a building go colder because a limit came again; regression, issue 27: an
       * optimiser that never saw the debt owed shed four heat pumps of 74 kWh in a day, their comfort allowing 48).
       * Absent: no bound (a charger's car owes nothing).
       */
      maxDebtWh?: number;
    },
    /** The command it obeys: a sheddable load's `load.limit`, or an EV charger's `ev.limit` (recovery 0: the car's own need is its rebound). */
    private readonly takes: 'load.limit' | 'ev.limit' = 'load.limit',
  ) {}

  receive(command: CommandPayload, now: Date): AckDecision {
    return this.answers.answer(command, () => this.decide(command, now));
  }

  private decide(command: CommandPayload, now: Date): AckDecision {
    if (command.type !== this.takes || !('maxW' in command))
      return { status: 'rejected', reason: `${this.spec.id} does not take ${command.type}` };
    if (command.maxW < 0) return { status: 'rejected', reason: `maxW ${command.maxW} is negative` };
    const invalid = validityProblem(command, now);
    if (invalid) return { status: 'rejected', reason: invalid };
    this.current = {
      maxW: command.maxW,
      validFromMs: Date.parse(command.validFrom),
      validUntilMs: Date.parse(command.validUntil),
    };
    this.applied++;
    return { status: 'applied' };
  }

  /** The limit in force now, W (undefined: none). */
  limitW(now: Date): number | undefined {
    const command = this.current;
    const t = now.getTime();
    return command && t >= command.validFromMs && t < command.validUntilMs ? command.maxW : undefined;
  }

  /**
   * The power the load draws from now until the next step, given what it would draw on its own: capped under a limit
   * (the shortfall owed, within its comfort), its demand plus the rebound up to a limit above it, else its demand plus
   * the rebound up to its rated power. Keeps the debt.
   */
  powerW(now: Date, demandW: number, stepH: number): number {
    const limitW = this.limitW(now);
    if (limitW !== undefined) {
      const roomWh = Math.max((this.spec.maxDebtWh ?? Infinity) - this.debtWh, 0);
      const sheddableW =
        this.spec.recoveryRatio > 0 && stepH > 0 ? roomWh / (this.spec.recoveryRatio * stepH) : Infinity;
      const drawnW = Math.max(Math.min(demandW, limitW), demandW - sheddableW);
      if (drawnW < demandW) {
        this.debtWh += (demandW - drawnW) * this.spec.recoveryRatio * stepH;
        this.shedWh += (demandW - drawnW) * stepH;
        return drawnW;
      }
      // A limit above its demand leaves room: it makes up what it owes there, no further.
      return demandW + this.recover(Math.min(limitW, this.spec.ratedW) - demandW, stepH);
    }
    return demandW + this.recover(this.spec.ratedW - demandW, stepH);
  }

  /** The power it adds to make up its debt, at most `roomW`, W; the debt falls by it. */
  private recover(roomW: number, stepH: number): number {
    if (this.debtWh <= 0 || stepH <= 0) return 0;
    const extraW = Math.min(Math.max(roomW, 0), this.debtWh / stepH);
    this.debtWh -= extraW * stepH;
    return extraW;
  }
}
