import { sharesProblem } from './allocation';

/** The shares of one step of a `dynamic-custom` key: each participant's part of the step's production. */
export interface CustomSharesStep {
  start: Date;
  shares: Map<string, number>;
}

/** At most this many steps in one request: a month of 15-min steps is 2976. */
export const MAX_CUSTOM_SHARE_STEPS = 3000;

/**
 * Reads the shares the operator (the PMO) gives for a `dynamic-custom` key:
 * `{"steps": [{"start": ISO, "shares": {"<participantId>": 0..1, ...}}, ...]}`. Every problem is reported, with
 * its path: unknown participants, a start off the step grid or given twice, shares below 0 or summing above 1.
 * Pure: the participants and the step are given.
 */
export function parseCustomShares(
  body: unknown,
  participantIds: ReadonlySet<string>,
  stepMs: number,
): { ok: true; steps: CustomSharesStep[] } | { ok: false; problems: string[] } {
  const steps = (body as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps) || steps.length === 0)
    return { ok: false, problems: ['steps: must be a non-empty array of {start, shares}'] };
  if (steps.length > MAX_CUSTOM_SHARE_STEPS)
    return { ok: false, problems: [`steps: ${steps.length} steps, at most ${MAX_CUSTOM_SHARE_STEPS} at once`] };
  const problems: string[] = [];
  const parsed: CustomSharesStep[] = [];
  const seen = new Set<number>();
  steps.forEach((step: { start?: unknown; shares?: unknown } | null, i) => {
    const at = `steps[${i}]`;
    const startMs =
      typeof step?.start === 'string' && /(Z|[+-]\d\d:\d\d)$/.test(step.start) ? Date.parse(step.start) : NaN;
    if (!Number.isFinite(startMs)) return problems.push(`${at}.start: must be an ISO 8601 instant with its offset`);
    if (startMs % stepMs !== 0)
      return problems.push(`${at}.start: ${step!.start} is not the start of a ${stepMs / 60_000}-min step`);
    if (seen.has(startMs)) return problems.push(`${at}.start: ${step!.start} given twice`);
    seen.add(startMs);
    if (typeof step!.shares !== 'object' || step!.shares === null || Array.isArray(step!.shares))
      return problems.push(`${at}.shares: must be an object {participantId: share}`);
    if (Object.keys(step!.shares).length === 0)
      return problems.push(`${at}.shares: empty (a step where nothing is shared gives a participant 0)`);
    const shares = new Map<string, number>();
    for (const [participantId, share] of Object.entries(step!.shares)) {
      if (!participantIds.has(participantId)) problems.push(`${at}.shares.${participantId}: no such participant`);
      else if (typeof share !== 'number' || share > 1)
        problems.push(`${at}.shares.${participantId}: must be a number from 0 to 1`);
      else shares.set(participantId, share);
    }
    const problem = sharesProblem(shares);
    if (problem) return problems.push(`${at}.shares: ${problem}`);
    parsed.push({ start: new Date(startMs), shares });
  });
  return problems.length ? { ok: false, problems } : { ok: true, steps: parsed };
}
