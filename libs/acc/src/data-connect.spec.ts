import { consentUrl, loadCurveWindows, parseConsentRedirect, parseLoadCurve } from './data-connect';

const PRM = '30000000000202';
const curve = (points: Array<[string, string]>, extra: Record<string, unknown> = {}) => ({
  meter_reading: {
    usage_point_id: PRM,
    start: '2026-10-24',
    end: '2026-10-26',
    quality: 'BRUT',
    reading_type: { unit: 'W', measurement_kind: 'power', aggregate: 'average' },
    interval_reading: points.map(([date, value]) => ({ value, date, interval_length: 'PT30M', measure_type: 'B' })),
    ...extra,
  },
});

describe('Data Connect, pure', () => {
  it('asks consent with our client id, state and duration, and reads the points consented for from the redirect', () => {
    const url = new URL(
      consentUrl({
        authorizeUrl: 'https://consent.example/dataconnect/v1/oauth2/authorize',
        clientId: 'ilot',
        state: 's-1',
        duration: 'P1Y',
      }),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'ilot',
      state: 's-1',
      duration: 'P1Y',
      response_type: 'code',
    });
    expect(parseConsentRedirect(`/cb?state=s-1&usage_point_id=${PRM},30000000000203`, 's-1')).toEqual({
      ok: true,
      value: [PRM, '30000000000203'],
    });
  });

  it.each([
    ['another state', `/cb?state=s-2&usage_point_id=${PRM}`, /state: not the one/],
    ['a refusal', '/cb?state=s-1&error=access_denied', /consent refused: access_denied/],
    ['no delivery point', '/cb?state=s-1', /usage_point_id: expected PRMs/],
  ])('refuses a redirect with %s', (_name, redirect, reason) => {
    const result = parseConsentRedirect(redirect, 's-1');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join()).toMatch(reason);
  });

  it('asks a month in requests of at most 7 days', () => {
    expect(loadCurveWindows('2026-11-01', '2026-12-01')).toEqual([
      { start: '2026-11-01', end: '2026-11-08' },
      { start: '2026-11-08', end: '2026-11-15' },
      { start: '2026-11-15', end: '2026-11-22' },
      { start: '2026-11-22', end: '2026-11-29' },
      { start: '2026-11-29', end: '2026-12-01' },
    ]);
  });

  it("reads each point's start from the local end of its interval, the hour that comes twice in October in order", () => {
    const result = parseLoadCurve(
      curve([
        ['2026-10-25 01:30:00', '400'],
        ['2026-10-25 02:00:00', '410'],
        ['2026-10-25 02:30:00', '420'],
        ['2026-10-25 02:00:00', '430'],
        ['2026-10-25 02:30:00', '440'],
        ['2026-10-25 03:00:00', '450'],
      ]),
      PRM,
      'Europe/Paris',
    );
    expect(result.ok && result.value.map((p) => [p.start.toISOString(), p.minutes, p.powerW])).toEqual([
      ['2026-10-24T23:00:00.000Z', 30, 400],
      ['2026-10-24T23:30:00.000Z', 30, 410],
      ['2026-10-25T00:00:00.000Z', 30, 420],
      ['2026-10-25T00:30:00.000Z', 30, 430],
      ['2026-10-25T01:00:00.000Z', 30, 440],
      ['2026-10-25T01:30:00.000Z', 30, 450],
    ]);
  });

  it.each<[string, unknown, RegExp]>([
    ['not a load curve', { error: 'x' }, /interval_reading: missing/],
    [
      'another delivery point',
      curve([], { usage_point_id: '30000000000999' }),
      /usage_point_id: 30000000000999, asked 30000000000202/,
    ],
    ['kW', curve([], { reading_type: { unit: 'kW' } }), /unit: kW, expected W/],
    ['a value that is not a number', curve([['2026-11-02 12:30:00', 'n/a']]), /interval_reading\[0\].value: n\/a/],
    [
      'a time that does not exist (spring forward)',
      curve([['2026-03-29 02:30:00', '1']]),
      /2026-03-29 02:30:00 does not exist in Europe\/Paris/,
    ],
  ])('refuses %s, naming it', (_name, body, reason) => {
    const result = parseLoadCurve(body, PRM, 'Europe/Paris');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems.join()).toMatch(reason);
  });
});
