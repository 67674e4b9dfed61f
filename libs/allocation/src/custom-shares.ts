import { type Checked, refused } from '@ilot/domain';
import { sharesProblem } from './allocation';

/** The shares of one step of a `dynamic-custom` key: each participant's part of the step's production. */
export interface CustomSharesStep {
  start: Date;
  shares: Map<string, number>;
}

/** At most this many steps in one request: a month of 15-min steps is 2976. */
export const MAX_CUSTOM_SHARE_STEPS = 3000;
const PLAUSIBLE_FROM_MS = Date.UTC(2000, 0, 1);
const PLAUSIBLE_TO_MS = Date.UTC(2100, 0, 1);

/**
 * Reads the shares the operator (the PMO) gives for a `dynamic-custom` key:
 * `{"steps": [{"start": ISO, "shares": {"<participantId>": 0..1, ...}}, ...]}`. Every problem is reported, with
 * its path: unknown participants, a start off the step grid, outside 2000-2099 or given twice, steps spread over more
 * than MAX_CUSTOM_SHARE_STEPS steps (the recompute they cause stays bounded), shares below 0 or summing above 1.
 * Pure: the participants and the step are given.
 */
export function parseCustomShares(
  body: unknown,
  participantIds: ReadonlySet<string>,
  stepMs: number,
): Checked<CustomSharesStep[], 'invalid'> {
  const steps = (body as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps) || steps.length === 0)
    return refused('invalid', 'steps: must be a non-empty array of {start, shares}');
  if (steps.length > MAX_CUSTOM_SHARE_STEPS)
    return refused('invalid', `steps: ${steps.length} steps, at most ${MAX_CUSTOM_SHARE_STEPS} at once`);
  const problems: string[] = [];
  const parsed: CustomSharesStep[] = [];
  const seen = new Set<number>();
  steps.forEach((step: { start?: unknown; shares?: unknown } | null, i) => {
    const at = `steps[${i}]`;
    const startMs =
      typeof step?.start === 'string' && /(Z|[+-]\d\d:\d\d)$/.test(step.start) ? Date.parse(step.start) : NaN;
    if (!Number.isFinite(startMs)) return problems.push(`${at}.start: must be an ISO 8601 instant with its offset`);
    if (startMs < PLAUSIBLE_FROM_MS || startMs >= PLAUSIBLE_TO_MS)
      return problems.push(`${at}.start: must lie in the years 2000 to 2099`);
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
  const starts = parsed.map((s) => s.start.getTime());
  // Regression (probe): steps over decades made a recompute of 33 s, then a 500.
  if (parsed.length && Math.max(...starts) - Math.min(...starts) >= MAX_CUSTOM_SHARE_STEPS * stepMs)
    problems.push(`steps: spread over more than ${MAX_CUSTOM_SHARE_STEPS} steps; send them a month at a time`);
  return problems.length ? { ok: false, reason: 'invalid', problems } : { ok: true, value: parsed };
}
