import { type CommandPayload, commandPayloadSchema } from './command';
import { describeIssues } from './decode';

export type AckDecision = { status: 'applied' } | { status: 'rejected'; reason: string };

/**
 * A controller's memory of the cmdIds it has answered (the simulated controllers' and apps/edge's: docs/controller-guide.md
 * §3): a command sent again (a retry after a lost
 * ack) gets the same answer and is not applied again. Bounded to the last 10 000 cmdIds. It also keeps the highest
 * lease token applied: a command under a lower one (a planner that lost the site) is refused.
 */
export class AnswerMemory {
  private readonly answered = new Map<string, AckDecision>();
  private highestLeaseToken = 0;

  private readonly pending = new Map<string, Promise<AckDecision>>();

  answer(command: Pick<CommandPayload, 'cmdId' | 'leaseToken'>, decide: () => AckDecision): AckDecision {
    const previous = this.answered.get(command.cmdId);
    if (previous) return previous;
    const decision = this.staleLease(command) ?? decide();
    this.remember(command, decision);
    return decision;
  }

  /**
   * The same for a decision that takes time (a device's registers written and read back): the same cmdId arriving
   * while it is decided waits for the same answer, and is not applied twice.
   */
  answerAsync(
    command: Pick<CommandPayload, 'cmdId' | 'leaseToken'>,
    decide: () => Promise<AckDecision>,
  ): Promise<AckDecision> {
    const previous = this.answered.get(command.cmdId);
    if (previous) return Promise.resolve(previous);
    const inFlight = this.pending.get(command.cmdId);
    if (inFlight) return inFlight;
    const stale = this.staleLease(command);
    const decision = (stale ? Promise.resolve(stale) : decide())
      .catch((error: Error): AckDecision => ({ status: 'rejected', reason: error.message }))
      .then((d) => {
        this.pending.delete(command.cmdId);
        this.remember(command, d);
        return d;
      });
    this.pending.set(command.cmdId, decision);
    return decision;
  }

  private staleLease(command: Pick<CommandPayload, 'leaseToken'>): AckDecision | undefined {
    const token = command.leaseToken;
    return token !== undefined && token < this.highestLeaseToken
      ? {
          status: 'rejected',
          reason: `leaseToken ${token} is older than ${this.highestLeaseToken}: the planner lost the site`,
        }
      : undefined;
  }

  private remember(command: Pick<CommandPayload, 'cmdId' | 'leaseToken'>, decision: AckDecision): void {
    const token = command.leaseToken;
    if (decision.status === 'applied' && token !== undefined)
      this.highestLeaseToken = Math.max(this.highestLeaseToken, token);
    this.answered.set(command.cmdId, decision);
    if (this.answered.size > 10_000) this.answered.delete(this.answered.keys().next().value as string);
  }
}

/** Why a command cannot be applied now, whatever its device: expired, or an empty validity period. */
export function validityProblem(command: CommandPayload, now: Date): string | undefined {
  if (Date.parse(command.validUntil) <= now.getTime()) return `expired at ${command.validUntil}`;
  if (Date.parse(command.validFrom) >= Date.parse(command.validUntil)) return 'validFrom is not before validUntil';
  return undefined;
}

/**
 * A command message as a controller reads it: the command, or why it is refused with the cmdId to answer when one can
 * be read (a message that is not JSON has none: nothing to answer). Pure.
 */
export function readCommand(
  payload: Buffer,
): { ok: true; command: CommandPayload } | { ok: false; cmdId?: string; reason: string } {
  let json: unknown;
  try {
    json = JSON.parse(payload.toString('utf8'));
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const parsed = commandPayloadSchema.safeParse(json);
  if (parsed.success) return { ok: true, command: parsed.data };
  const cmdId = (json as { cmdId?: unknown })?.cmdId;
  return {
    ok: false,
    ...(typeof cmdId === 'string' ? { cmdId } : {}),
    reason: describeIssues(parsed.error.issues).join('; '),
  };
}
