import { allocationKeyAt, allocationKeyOn } from './allocation-history';
import { siteProblemsOf } from './testing/site-problems-of';

const site = {
  timezone: 'Europe/Paris',
  allocation: {
    key: 'dynamic-custom' as const,
    history: [
      { key: 'dynamic-default' as const, until: '2026-06-01' },
      { key: 'static' as const, until: '2026-11-01' },
    ],
  },
};

describe('allocation keys with an effective date (issue 29 §5)', () => {
  it.each([
    ['2026-05-31', 'dynamic-default'],
    ['2026-06-01', 'static'],
    ['2026-10-31', 'static'],
    ['2026-11-01', 'dynamic-custom'],
  ])('on %s the key is %s', (date, kind) => expect(allocationKeyOn(site, date)).toBe(kind));

  it("changes at the site's local midnight, not UTC's", () => {
    expect(allocationKeyAt(site, new Date('2026-10-31T22:59:00Z'))).toBe('static'); // 23:59 in Paris
    expect(allocationKeyAt(site, new Date('2026-10-31T23:00:00Z'))).toBe('dynamic-custom');
  });

  it.each<[string, (s: any) => void, RegExp]>([
    [
      'a change not on a month start',
      (s) => (s.allocation.history = [{ key: 'dynamic-default', until: '2026-11-16' }]),
      /allocation\.history\[0\]\.until: the first day of a month, YYYY-MM-01/,
    ],
    [
      'changes out of order',
      (s) =>
        (s.allocation.history = [
          { key: 'dynamic-default', until: '2026-11-01' },
          { key: 'dynamic-custom', until: '2026-10-01' },
        ]),
      /allocation\.history\[1\]\.until: 2026-10-01 must come after 2026-11-01/,
    ],
    [
      'a past static key without static shares',
      (s) => (s.allocation.history = [{ key: 'static', until: '2026-11-01' }]),
      /staticShare: required by allocation key "static"/,
    ],
  ])('refuses %s', (_name, mutate, reason) => {
    expect(siteProblemsOf(mutate).join('\n')).toMatch(reason);
  });

  it('keeps a site without history as it was', () => {
    expect(siteProblemsOf(() => undefined)).toEqual([]);
  });
});
