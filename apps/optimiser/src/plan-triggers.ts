import { asyncScheduler, EMPTY, map, merge, Observable, SchedulerLike, throttleTime, timer } from 'rxjs';

export type PlanTrigger = { cause: 'timer' } | { cause: 'readings' } | { cause: 'signal' };

/**
 * When to re-plan: on a fixed period; when new readings or device statuses are committed, at
 * most once per `minIntervalMs` (leading and trailing: the first burst plans at once, the last one
 * is never lost); and at once on a new signal. Durations in real milliseconds. Pure: the scheduler is injected for marble tests.
 */
export function planTriggers(
  readingsCommitted$: Observable<unknown>,
  options: { periodMs: number; minIntervalMs: number },
  scheduler: SchedulerLike = asyncScheduler,
  signals$: Observable<unknown> = EMPTY,
): Observable<PlanTrigger> {
  const periodic$ = timer(0, options.periodMs, scheduler).pipe(map((): PlanTrigger => ({ cause: 'timer' })));
  const data$ = readingsCommitted$.pipe(
    throttleTime(options.minIntervalMs, scheduler, { leading: true, trailing: true }),
    map((): PlanTrigger => ({ cause: 'readings' })),
  );
  // A new demand-response signal re-plans at once: it may start within the slot.
  const signal$ = signals$.pipe(map((): PlanTrigger => ({ cause: 'signal' })));
  return merge(periodic$, data$, signal$);
}
