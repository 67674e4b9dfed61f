import type { SiteChange } from '@ilot/timeseries';
import { asyncScheduler, filter, map, merge, Observable, SchedulerLike, throttleTime, timer } from 'rxjs';

export type PlanTrigger = { cause: 'timer' } | { cause: 'readings' } | { cause: 'signal' };

/**
 * When to re-plan: on a fixed period; when the store announces new readings or a device status, at most once per
 * `minIntervalMs`; and on a new signal (it may start within the slot), coalesced the same way, so that a flood of
 * signals is a few plans, not one per signal. Throttles lead and trail: the first of a burst plans at once, the last
 * is never lost. Durations in real milliseconds. Pure: the scheduler is injected for marble tests.
 */
export function planTriggers(
  changes$: Observable<Pick<SiteChange, 'kind'>>,
  options: { periodMs: number; minIntervalMs: number },
  scheduler: SchedulerLike = asyncScheduler,
): Observable<PlanTrigger> {
  const coalesced = (kinds: ReadonlyArray<SiteChange['kind']>, trigger: PlanTrigger) =>
    changes$.pipe(
      filter((c) => kinds.includes(c.kind)),
      throttleTime(options.minIntervalMs, scheduler, { leading: true, trailing: true }),
      map(() => trigger),
    );
  return merge(
    timer(0, options.periodMs, scheduler).pipe(map((): PlanTrigger => ({ cause: 'timer' }))),
    coalesced(['readings', 'status'], { cause: 'readings' }),
    coalesced(['signals'], { cause: 'signal' }),
  );
}
