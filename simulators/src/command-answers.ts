import { CommandPayload } from '@ilot/protocol';

export type AckDecision = { status: 'applied' } | { status: 'rejected'; reason: string };

/**
 * A controller's memory of the cmdIds it has answered: a command sent again (a retry after a lost
 * ack) gets the same answer and is not applied again. Bounded to the last 10 000 cmdIds. It also keeps the highest
 * lease token applied: a command under a lower one (a planner that lost the site) is refused.
 */
export class AnswerMemory {
  private readonly answered = new Map<string, AckDecision>();
  private highestLeaseToken = 0;

  answer(command: Pick<CommandPayload, 'cmdId' | 'leaseToken'>, decide: () => AckDecision): AckDecision {
    const previous = this.answered.get(command.cmdId);
    if (previous) return previous;
    const token = command.leaseToken;
    const decision: AckDecision =
      token !== undefined && token < this.highestLeaseToken
        ? {
            status: 'rejected',
            reason: `leaseToken ${token} is older than ${this.highestLeaseToken}: the planner lost the site`,
          }
        : decide();
    if (decision.status === 'applied' && token !== undefined)
      this.highestLeaseToken = Math.max(this.highestLeaseToken, token);
    this.answered.set(command.cmdId, decision);
    if (this.answered.size > 10_000) this.answered.delete(this.answered.keys().next().value as string);
    return decision;
  }
}

/** Why a command cannot be applied now, whatever its device: expired, or an empty validity period. */
export function validityProblem(command: CommandPayload, now: Date): string | undefined {
  if (Date.parse(command.validUntil) <= now.getTime()) return `expired at ${command.validUntil}`;
  if (Date.parse(command.validFrom) >= Date.parse(command.validUntil)) return 'validFrom is not before validUntil';
  return undefined;
}
