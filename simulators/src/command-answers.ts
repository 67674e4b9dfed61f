import { CommandPayload } from '@ilot/protocol';

export type AckDecision = { status: 'applied' } | { status: 'rejected'; reason: string };

/**
 * A controller's memory of the cmdIds it has answered: a command sent again (a retry after a lost
 * ack) gets the same answer and is not applied again. Bounded to the last 10 000 cmdIds.
 */
export class AnswerMemory {
  private readonly answered = new Map<string, AckDecision>();

  answer(cmdId: string, decide: () => AckDecision): AckDecision {
    const previous = this.answered.get(cmdId);
    if (previous) return previous;
    const decision = decide();
    this.answered.set(cmdId, decision);
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
