import { isMonth, localDayStart, localMonth, localMonthRange, shiftMonth } from './local-time';

const zone = 'Europe/Paris';

describe('localDayStart', () => {
  it.each([
    ['2026-01-15', '2026-01-14T23:00:00.000Z', 24],
    ['2026-03-29', '2026-03-28T23:00:00.000Z', 23],
    ['2026-07-15', '2026-07-14T22:00:00.000Z', 24],
    ['2026-10-25', '2026-10-24T22:00:00.000Z', 25],
  ])('%s starts at %s in Paris and lasts %i hours', (date, startIso, hours) => {
    const start = localDayStart(date, zone);
    expect(start.toISOString()).toBe(startIso);
    const next = localDayStart(new Date(Date.parse(`${date}T12:00:00Z`) + 86_400_000).toISOString().slice(0, 10), zone);
    expect((next.getTime() - start.getTime()) / 3_600_000).toBe(hours);
  });
});

describe('local months', () => {
  it.each([
    ['2026-01', -1, '2025-12'],
    ['2026-12', 1, '2027-01'],
    ['2026-10', 0, '2026-10'],
    ['2026-03', -14, '2025-01'],
  ])('%s shifted by %d is %s', (month, delta, expected) => {
    expect(shiftMonth(month, delta)).toBe(expected);
  });

  it('reads YYYY-MM only', () => {
    expect(['2026-01', '2026-12', '2000-01', '2099-12'].map(isMonth)).toEqual([true, true, true, true]);
    // Regression (probe): months PostgreSQL or Intl cannot hold were 500s; the product's years are 2000-2099.
    expect(['0000-01', '9999-12', '1999-12', '2100-01'].map(isMonth)).toEqual([false, false, false, false]);
    expect(['2026-1', '2026-13', '2026-00', '26-01', '2026-01-01', ' 2026-01'].map(isMonth)).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('puts an instant in its local month: 23:30Z on 31 January is February in Paris', () => {
    expect(localMonth(new Date('2026-01-31T22:59:00Z'), 'Europe/Paris')).toBe('2026-01');
    expect(localMonth(new Date('2026-01-31T23:30:00Z'), 'Europe/Paris')).toBe('2026-02');
  });

  it('spans from local midnight of the 1st to the next month’s, 31 days and one hour for October in Paris', () => {
    const { from, to } = localMonthRange('2026-10', 'Europe/Paris');
    expect(from.toISOString()).toBe('2026-09-30T22:00:00.000Z');
    expect(to.toISOString()).toBe('2026-10-31T23:00:00.000Z');
  });
});
