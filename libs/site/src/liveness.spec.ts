import { describeLiveness, deviceLiveness } from './liveness';

describe('deviceLiveness', () => {
  const now = new Date('2026-11-22T12:00:00Z');
  const secondsAgo = (s: number) => new Date(now.getTime() - s * 1000);

  it.each([
    { name: 'a recent reading', device: {}, evidence: { lastReadingAt: secondsAgo(30) }, expected: 'live' },
    {
      name: 'a reading exactly at the default max age',
      device: {},
      evidence: { lastReadingAt: secondsAgo(600) },
      expected: 'live',
    },
    {
      name: 'silent past the default max age',
      device: {},
      evidence: { lastReadingAt: secondsAgo(601) },
      expected: 'stale',
    },
    {
      name: 'silent past its own shorter max age',
      device: { maxAgeS: 60 },
      evidence: { lastReadingAt: secondsAgo(61) },
      expected: 'stale',
    },
    {
      name: 'within its own longer max age',
      device: { maxAgeS: 3600 },
      evidence: { lastReadingAt: secondsAgo(1800) },
      expected: 'live',
    },
    {
      name: 'offline by its Last Will, even with a recent reading',
      device: {},
      evidence: { lastReadingAt: secondsAgo(5), offlineSince: secondsAgo(1) },
      expected: 'offline',
    },
    { name: 'never heard of', device: {}, evidence: {}, expected: 'silent' },
  ])('$name: $expected', ({ device, evidence, expected }) => {
    expect(deviceLiveness(device, evidence, now, 600).state).toBe(expected);
  });

  it('says why, in a line a schedule can carry', () => {
    expect(
      describeLiveness('pv-a', deviceLiveness({ maxAgeS: 60 }, { lastReadingAt: secondsAgo(90) }, now, 600), now),
    ).toBe('pv-a: stale, last reading 90 s ago (max age 60 s)');
    expect(describeLiveness('bat-1', deviceLiveness({}, { offlineSince: secondsAgo(10) }, now, 600), now)).toBe(
      'bat-1: offline since 2026-11-22T11:59:50.000Z',
    );
  });
});
