import { asyncScheduler, map, merge, Observable, SchedulerLike, throttleTime, timer } from 'rxjs';

export type PlanTrigger = { cause: 'timer' } | { cause: 'readings' };

/**
 * When to re-plan: on a fixed period, and when new readings are committed, at most once per
 * `minIntervalMs` (leading and trailing: the first burst plans at once, the last one is never
 * lost). Durations in real milliseconds. Pure: the scheduler is injected for marble tests.
 */
export function planTriggers(
  readingsCommitted$: Observable<unknown>,
  options: { periodMs: number; minIntervalMs: number },
  scheduler: SchedulerLike = asyncScheduler,
): Observable<PlanTrigger> {
  const periodic$ = timer(0, options.periodMs, scheduler).pipe(map((): PlanTrigger => ({ cause: 'timer' })));
  const data$ = readingsCommitted$.pipe(
    throttleTime(options.minIntervalMs, scheduler, { leading: true, trailing: true }),
    map((): PlanTrigger => ({ cause: 'readings' })),
  );
  return merge(periodic$, data$);
}
