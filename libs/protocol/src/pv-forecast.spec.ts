import { decodePvForecast } from './pv-forecast';

const now = new Date('2026-06-17T06:00:00Z');
const limits = { maxPayloadBytes: 1_000_000, maxFutureMs: 300_000 };
const isPvArray = (id: string) => id === 'pv-a' || id === 'pv-b';
const hourly = (from: number, count: number, device?: string) =>
  Array.from({ length: count }, (_, h) => ({
    ts: new Date(Date.UTC(2026, 5, 17, from + h)).toISOString(),
    pvW: 1000 * h,
    ...(device ? { device } : {}),
  }));
const decodeOf = (forecast: unknown) => decodePvForecast(JSON.stringify(forecast), now, limits, isPvArray);

describe('the forecast topic: an external PV forecast', () => {
  it('takes a forecast for the site, or one per array, as sent', () => {
    const site = { issuedAt: '2026-06-17T05:00:00Z', source: 'open-meteo', series: hourly(6, 24) };
    expect(decodeOf(site)).toEqual({ ok: true, value: site });
    const perArray = { issuedAt: '2026-06-17T05:00:00Z', series: [...hourly(6, 3, 'pv-a'), ...hourly(6, 3, 'pv-b')] };
    expect(decodeOf(perArray).ok).toBe(true);
  });

  // The instant check every inbound message shares (checkInstant): the reason is `future`, as a reading's.
  it('refuses a forecast issued in the future, naming the field', () => {
    const decoded = decodeOf({ issuedAt: '2026-06-17T07:00:00Z', series: hourly(7, 2) });
    expect(decoded.ok ? undefined : [decoded.reason, decoded.problems[0]]).toEqual([
      'future',
      'issuedAt: 2026-06-17T07:00:00.000Z is after now 2026-06-17T06:00:00.000Z + 300 s',
    ]);
  });

  it.each([
    [
      'a point a week and more ahead',
      { issuedAt: '2026-06-17T05:00:00Z', series: [{ ts: '2026-06-25T05:00:00Z', pvW: 1 }] },
      /^series\.0\.ts: .* 7 days/,
    ],
    [
      'a meter named as an array',
      { issuedAt: '2026-06-17T05:00:00Z', series: hourly(6, 2, 'm-1') },
      /^series\.0\.device: "m-1" is not a PV array/,
    ],
    [
      'site and array points mixed',
      { issuedAt: '2026-06-17T05:00:00Z', series: [...hourly(6, 1), ...hourly(7, 1, 'pv-a')] },
      /^series\.1\.device: either/,
    ],
    [
      'a series going back in time',
      { issuedAt: '2026-06-17T05:00:00Z', series: [...hourly(8, 1), ...hourly(7, 1)] },
      /^series\.1\.ts: .* not after/,
    ],
  ])('refuses %s, naming the field', (_what, forecast, reason) => {
    const decoded = decodeOf(forecast);
    expect(decoded.ok ? undefined : [decoded.reason, decoded.problems[0]]).toEqual([
      'out_of_range',
      expect.stringMatching(reason),
    ]);
  });

  it.each([
    [
      'a negative production',
      { issuedAt: '2026-06-17T05:00:00Z', series: [{ ts: '2026-06-17T06:00:00Z', pvW: -5 }] },
      /^series\.0\.pvW: /,
    ],
    ['no points', { issuedAt: '2026-06-17T05:00:00Z', series: [] }, /^series: /],
    ['an unknown field', { issuedAt: '2026-06-17T05:00:00Z', series: hourly(6, 1), unit: 'kW' }, /^unit: /],
  ])('refuses %s by its schema', (_what, forecast, reason) => {
    const decoded = decodeOf(forecast);
    expect(decoded.ok ? undefined : [decoded.reason, decoded.problems[0]]).toEqual([
      'schema',
      expect.stringMatching(reason),
    ]);
  });
});
