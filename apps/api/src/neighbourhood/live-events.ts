import { catchError, distinctUntilChanged, EMPTY, from, map, type Observable, switchMap, timer } from 'rxjs';

/**
 * A live page's Server-Sent Events: every `pushMs` the figures are read again, and sent (event "live": the figures
 * and the page part they render) only when one changed, the instant they were made aside. A failed read skips a round.
 */
export function liveEvents<T extends { generatedAt: string }>(
  pushMs: number,
  read: () => Promise<T>,
  render: (value: T) => string,
): Observable<{ type: string; data: unknown }> {
  const key = (value: T) => JSON.stringify({ ...value, generatedAt: '' });
  return timer(0, pushMs).pipe(
    switchMap(() => from(read()).pipe(catchError(() => EMPTY))),
    distinctUntilChanged((a, b) => key(a) === key(b)),
    map((value) => ({ type: 'live', data: { live: value, html: render(value) } })),
  );
}
