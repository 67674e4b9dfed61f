import { Subject } from 'rxjs';
import { readOnChange } from './live-feeds';

const PERIOD = { pushMs: 1000, refreshMs: 60_000 };

/** A read that takes `readMs` and answers how many reads started before it (so each answer says which read it is). */
function slowReads(readMs: number) {
  let started = 0;
  const log: string[] = [];
  const read = () => {
    const n = ++started;
    log.push(`start ${n} at ${Date.now()}`);
    return new Promise<number>((resolve) => setTimeout(() => resolve(n), readMs));
  };
  return { read, log, started: () => started };
}

describe('readOnChange (issue 30 §4: live pages pushed on a change, not polled)', () => {
  beforeEach(() => jest.useFakeTimers({ now: 0 }));
  afterEach(() => jest.useRealTimers());

  it('reads at once, then a burst of changes once, 250 ms after its first', async () => {
    const changes = new Subject<void>();
    const reads = slowReads(10);
    const got: number[] = [];
    const sub = readOnChange(changes, PERIOD, reads.read).subscribe((v) => got.push(v));
    await jest.advanceTimersByTimeAsync(2000);
    changes.next();
    await jest.advanceTimersByTimeAsync(100);
    changes.next();
    await jest.advanceTimersByTimeAsync(100);
    changes.next();
    await jest.advanceTimersByTimeAsync(2000);
    expect(reads.log).toEqual(['start 1 at 0', 'start 2 at 2250']);
    expect(got).toEqual([1, 2]);
    sub.unsubscribe();
  });

  it('reads again after a slow read a change that came during it (regression: exhaustMap dropped it, CI)', async () => {
    const changes = new Subject<void>();
    const reads = slowReads(3000);
    const got: number[] = [];
    const sub = readOnChange(changes, PERIOD, reads.read).subscribe((v) => got.push(v));
    await jest.advanceTimersByTimeAsync(3500); // the first read done at 3000
    changes.next(); // read 2 starts at 3750 and runs until 6750
    await jest.advanceTimersByTimeAsync(1500);
    changes.next(); // during read 2: must be read after it
    await jest.advanceTimersByTimeAsync(10_000);
    expect(reads.started()).toBe(3);
    expect(got).toEqual([1, 2, 3]);
    expect(reads.log[2]).toBe('start 3 at 6750');
    sub.unsubscribe();
  });

  it('reads at most once per push period under a stream of changes, and the last change too', async () => {
    const changes = new Subject<void>();
    const reads = slowReads(5);
    const sub = readOnChange(changes, PERIOD, reads.read).subscribe();
    await jest.advanceTimersByTimeAsync(5000);
    for (let k = 0; k < 100; k++) {
      changes.next();
      await jest.advanceTimersByTimeAsync(100); // 10 s of changes every 100 ms
    }
    const during = reads.started() - 1;
    await jest.advanceTimersByTimeAsync(5000);
    expect(during).toBeGreaterThanOrEqual(9);
    expect(during).toBeLessThanOrEqual(11);
    expect(reads.started()).toBe(during + 2); // the trailing read of the last change
    sub.unsubscribe();
  });

  it('skips a failed read and reads on the next change', async () => {
    const changes = new Subject<void>();
    let calls = 0;
    const got: number[] = [];
    const read = () => (++calls === 1 ? Promise.reject(new Error('database down')) : Promise.resolve(calls));
    const sub = readOnChange(changes, PERIOD, read).subscribe((v) => got.push(v));
    await jest.advanceTimersByTimeAsync(2000);
    changes.next();
    await jest.advanceTimersByTimeAsync(2000);
    expect(got).toEqual([2]);
    sub.unsubscribe();
  });
});
