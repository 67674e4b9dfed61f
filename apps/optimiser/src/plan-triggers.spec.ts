import { TestScheduler } from 'rxjs/testing';
import { planTriggers } from './plan-triggers';

describe('planTriggers', () => {
  const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
  const changes = { a: { kind: 'readings' }, u: { kind: 'status' }, s: { kind: 'signals' } } as const;
  const values = { t: { cause: 'timer' }, r: { cause: 'readings' }, s: { cause: 'signal' } };

  it('plans at once on the first readings, then at most once per interval, keeping the last burst', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const changes$ = hot('-a-u-a-------a|', changes);
      // period 100 (only the t at 0 shows), min interval 5
      expectObservable(planTriggers(changes$, { periodMs: 100, minIntervalMs: 5 }), '^ 15ms !').toBe(
        'tr----r------r-',
        values,
      );
    });
  });

  it('plans on the period when nothing changes', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const changes$ = hot('-', changes);
      expectObservable(planTriggers(changes$, { periodMs: 4, minIntervalMs: 1 }), '^ 10ms !').toBe(
        't---t---t-',
        values,
      );
    });
  });

  it('plans at once on a new signal, not held back by the readings interval', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const changes$ = hot('-a-s-------', changes);
      expectObservable(planTriggers(changes$, { periodMs: 100, minIntervalMs: 20 }), '^ 10ms !').toBe(
        'tr-s------',
        values,
      );
    });
  });

  // Regression (probe of the running îlot): 5,000 signals gave 5,000 re-plans.
  it('coalesces a flood of signals: the first plans at once, the last once the interval is over', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const changes$ = hot('-ssssssssss----', changes);
      expectObservable(planTriggers(changes$, { periodMs: 100, minIntervalMs: 5 }), '^ 15ms !').toBe(
        'ts----s----s---',
        values,
      );
    });
  });
});
