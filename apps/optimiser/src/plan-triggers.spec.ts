import { TestScheduler } from 'rxjs/testing';
import { planTriggers } from './plan-triggers';

describe('planTriggers', () => {
  const scheduler = () => new TestScheduler((actual, expected) => expect(actual).toEqual(expected));

  it('plans at once on the first readings, then at most once per interval, keeping the last burst', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const readings = hot('-a-b-c-------d|');
      const values = { t: { cause: 'timer' }, r: { cause: 'readings' } };
      // period 100 (only the t at 0 shows), min interval 5
      expectObservable(planTriggers(readings, { periodMs: 100, minIntervalMs: 5 }), '^ 15ms !').toBe(
        'tr----r------r-',
        values,
      );
    });
  });

  it('plans on the period when no readings arrive', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const readings = hot('-');
      expectObservable(planTriggers(readings, { periodMs: 4, minIntervalMs: 1 }), '^ 10ms !').toBe('t---t---t-', {
        t: { cause: 'timer' },
      });
    });
  });

  it('plans at once on each new signal, not held back by the readings interval', () => {
    scheduler().run(({ hot, expectObservable }) => {
      const readings = hot('-a---------');
      const signals = hot('--s-s------');
      const values = { t: { cause: 'timer' }, r: { cause: 'readings' }, s: { cause: 'signal' } };
      expectObservable(
        planTriggers(readings, { periodMs: 100, minIntervalMs: 20 }, undefined, signals),
        '^ 10ms !',
      ).toBe('trs-s-----', values);
    });
  });
});
