import { isPermanentDatabaseError, retryUntilDone } from './retry';

describe('retryUntilDone', () => {
  it('retries transient failures until the write succeeds', async () => {
    let calls = 0;
    const failures: number[] = [];
    const result = await retryUntilDone(
      async () => {
        if (++calls < 3) throw Object.assign(new Error('connection terminated'), { code: '57P01' });
      },
      1,
      (_error, attempt) => failures.push(attempt),
    );
    expect(result).toBe('stored');
    expect(failures).toEqual([1, 2]);
  });

  // Regression: a NUL byte in a rejected payload made its INSERT fail forever and held back every ack behind it.
  it('gives up at once on a permanent data error', async () => {
    const result = await retryUntilDone(
      async () => {
        throw Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
      },
      1,
      () => undefined,
    );
    expect(result).toBe('unstorable');
  });

  // Regression: at shutdown, status writes retried forever against a closed pool and kept the process (and CI) alive.
  it('abandons a transient failure when the process is stopping', async () => {
    let stopping = false;
    const result = await retryUntilDone(
      async () => {
        stopping = true;
        throw new Error('Driver not Connected');
      },
      1,
      () => undefined,
      () => stopping,
    );
    expect(result).toBe('abandoned');
  });

  it.each([
    ['22021', true],
    ['23505', true],
    ['42P01', true],
    ['57P01', false],
    ['08006', false],
    [undefined, false],
  ])('SQLSTATE %s permanent: %s', (code, permanent) => {
    expect(isPermanentDatabaseError(Object.assign(new Error('x'), { code }))).toBe(permanent);
  });
});
