import { type Checked, refused } from '@ilot/domain';
import { sharesProblem } from './allocation';

/** The shares of one step of a `dynamic-custom` key: each participant's part of the step's production. */
export interface CustomSharesStep {
  start: Date;
  shares: Map<string, number>;
}

/** The coefficients of one step of a `dynamic-full` key: per producer, each participant's part of its production. */
export interface ProducerSharesStep {
  start: Date;
  byProducer: Map<string, Map<string, number>>;
}

/** At most this many steps in one request: a month of 15-min steps is 2976. */
export const MAX_CUSTOM_SHARE_STEPS = 3000;
const PLAUSIBLE_FROM_MS = Date.UTC(2000, 0, 1);
const PLAUSIBLE_TO_MS = Date.UTC(2100, 0, 1);

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

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
  return parseSteps(body, stepMs, 'shares', (value, at, problems) => {
    const shares = readShares(value, at, participantIds, problems);
    return shares && { shares };
  });
}

/**
 * Reads the coefficients the operator gives for a `dynamic-full` key (issue 29 §2):
 * `{"steps": [{"start": ISO, "byProducer": {"<pvId>": {"<participantId>": 0..1, ...}, ...}}, ...]}`, each producer's
 * shares of its own production summing to at most 1. A producer left out of a step gives nobody anything there; a step
 * not given falls back on the default key. The same checks as `parseCustomShares`, per producer. Pure.
 */
export function parseProducerShares(
  body: unknown,
  participantIds: ReadonlySet<string>,
  producerIds: ReadonlySet<string>,
  stepMs: number,
): Checked<ProducerSharesStep[], 'invalid'> {
  return parseSteps(body, stepMs, 'byProducer', (value, at, problems) => {
    if (!isObject(value)) return void problems.push(`${at}: must be an object {producerId: {participantId: share}}`);
    const byProducer = new Map<string, Map<string, number>>();
    for (const [producerId, shares] of Object.entries(value)) {
      if (!producerIds.has(producerId)) problems.push(`${at}.${producerId}: no such producer (a PV array)`);
      else {
        const read = readShares(shares, `${at}.${producerId}`, participantIds, problems);
        if (read) byProducer.set(producerId, read);
      }
    }
    if (Object.keys(value).length === 0) problems.push(`${at}: empty (give at least one producer's shares)`);
    return byProducer.size === Object.keys(value).length ? { byProducer } : undefined;
  });
}

/** One step's shares `{participantId: 0..1}`, or undefined with its problems pushed. */
function readShares(
  value: unknown,
  at: string,
  participantIds: ReadonlySet<string>,
  problems: string[],
): Map<string, number> | undefined {
  if (!isObject(value)) return void problems.push(`${at}: must be an object {participantId: share}`);
  if (Object.keys(value).length === 0)
    return void problems.push(`${at}: empty (a step where nothing is shared gives a participant 0)`);
  const shares = new Map<string, number>();
  let ok = true;
  for (const [participantId, share] of Object.entries(value)) {
    if (!participantIds.has(participantId)) ok = !problems.push(`${at}.${participantId}: no such participant`);
    else if (typeof share !== 'number' || share > 1)
      ok = !problems.push(`${at}.${participantId}: must be a number from 0 to 1`);
    else shares.set(participantId, share);
  }
  const problem = sharesProblem(shares);
  if (problem) return void problems.push(`${at}: ${problem}`);
  return ok ? shares : undefined;
}

/** `{"steps": [{"start", <field>}]}`: each step's start checked on the grid, its payload read by `read`. */
function parseSteps<T extends object>(
  body: unknown,
  stepMs: number,
  field: string,
  read: (value: unknown, at: string, problems: string[]) => T | undefined,
): Checked<Array<{ start: Date } & T>, 'invalid'> {
  const steps = (body as { steps?: unknown } | null)?.steps;
  if (!Array.isArray(steps) || steps.length === 0)
    return refused('invalid', `steps: must be a non-empty array of {start, ${field}}`);
  if (steps.length > MAX_CUSTOM_SHARE_STEPS)
    return refused('invalid', `steps: ${steps.length} steps, at most ${MAX_CUSTOM_SHARE_STEPS} at once`);
  const problems: string[] = [];
  const parsed: Array<{ start: Date } & T> = [];
  const seen = new Set<number>();
  steps.forEach((step: Record<string, unknown> | null, i) => {
    const at = `steps[${i}]`;
    const start = step?.start;
    const startMs = typeof start === 'string' && /(Z|[+-]\d\d:\d\d)$/.test(start) ? Date.parse(start) : NaN;
    if (!Number.isFinite(startMs)) return problems.push(`${at}.start: must be an ISO 8601 instant with its offset`);
    if (startMs < PLAUSIBLE_FROM_MS || startMs >= PLAUSIBLE_TO_MS)
      return problems.push(`${at}.start: must lie in the years 2000 to 2099`);
    if (startMs % stepMs !== 0)
      return problems.push(`${at}.start: ${String(start)} is not the start of a ${stepMs / 60_000}-min step`);
    if (seen.has(startMs)) return problems.push(`${at}.start: ${String(start)} given twice`);
    seen.add(startMs);
    const payload = read(step![field], `${at}.${field}`, problems);
    if (payload) parsed.push({ start: new Date(startMs), ...payload });
  });
  const starts = parsed.map((s) => s.start.getTime());
  // Regression (probe): steps over decades made a recompute of 33 s, then a 500.
  if (parsed.length && Math.max(...starts) - Math.min(...starts) >= MAX_CUSTOM_SHARE_STEPS * stepMs)
    problems.push(`steps: spread over more than ${MAX_CUSTOM_SHARE_STEPS} steps; send them a month at a time`);
  return problems.length ? { ok: false, reason: 'invalid', problems } : { ok: true, value: parsed };
}
