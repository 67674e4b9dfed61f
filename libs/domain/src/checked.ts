/**
 * The one shape of "ok, or refused with problems" across the libraries: a value, or a reason code (a metric label,
 * a stored reject's reason) and every problem found, each naming its field. Statuses, not exceptions.
 */
export type Checked<T, R extends string = string> =
  { ok: true; value: T } | { ok: false; reason: R; problems: string[] };

export function accepted<T>(value: T): { ok: true; value: T } {
  return { ok: true, value };
}

export function refused<R extends string>(
  reason: R,
  ...problems: string[]
): { ok: false; reason: R; problems: string[] } {
  return { ok: false, reason, problems };
}

/** The problems of a refusal as one line (a log line, a stored reject's detail). */
export function describeProblems(result: { problems: readonly string[] }): string {
  return result.problems.join('; ');
}
