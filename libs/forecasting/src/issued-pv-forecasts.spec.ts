import { forecastAsPlanned, forecastAsIssuedAt, parseIssuedPvForecasts } from './issued-pv-forecasts';

const csv = (...rows: string[]) => ['issuedAt,ts,device,pvW', ...rows].join('\n');
const arrays = ['pv-a', 'pv-b'];

describe('parseIssuedPvForecasts (ilot simulate --pv-forecast)', () => {
  it('reads the issues in order, each with its points (device empty: the whole site)', () => {
    const parsed = parseIssuedPvForecasts(
      csv(
        '2026-06-16T10:00:00Z,2026-06-17T10:00:00Z,,5000',
        '2026-06-16T10:00:00Z,2026-06-17T11:00:00Z,,7000',
        '2026-06-15T10:00:00Z,2026-06-17T10:00:00Z,pv-a,100',
        '',
      ),
      arrays,
    );
    expect(parsed).toEqual({
      ok: true,
      issues: [
        {
          issuedAt: new Date('2026-06-15T10:00:00Z'),
          points: [{ deviceId: 'pv-a', at: new Date('2026-06-17T10:00:00Z'), pvW: 100 }],
        },
        {
          issuedAt: new Date('2026-06-16T10:00:00Z'),
          points: [
            { deviceId: '', at: new Date('2026-06-17T10:00:00Z'), pvW: 5000 },
            { deviceId: '', at: new Date('2026-06-17T11:00:00Z'), pvW: 7000 },
          ],
        },
      ],
    });
  });

  it.each([
    ['a ; separated file', 'issuedAt;ts;device;pvW\n', 'line 1: the header must be issuedAt,ts,device,pvW'],
    [
      'a ts out of order',
      csv('2026-06-16T10:00:00Z,2026-06-17T11:00:00Z,,1', '2026-06-16T10:00:00Z,2026-06-17T10:00:00Z,,1'),
      'line 3: ts 2026-06-17T10:00:00Z is not after the previous point',
    ],
    [
      'an unknown device',
      csv('2026-06-16T10:00:00Z,2026-06-17T10:00:00Z,m-1,1'),
      'line 2: device "m-1" is not a PV array of the site (pv-a, pv-b)',
    ],
    [
      'a negative power',
      csv('2026-06-16T10:00:00Z,2026-06-17T10:00:00Z,,-5'),
      'line 2: pvW "-5" must be a number of watts, 0 or more',
    ],
    [
      'a power that is not a number',
      csv('2026-06-16T10:00:00Z,2026-06-17T10:00:00Z,,5kW'),
      'line 2: pvW "5kW" must be a number',
    ],
    [
      "an issue after its point's day",
      csv('2026-06-18T00:00:00Z,2026-06-17T10:00:00Z,,1'),
      'line 2: issuedAt 2026-06-18T00:00:00Z is after the day of its point',
    ],
    [
      'a date that is not ISO 8601',
      csv('16/06/2026 10:00,2026-06-17T10:00:00Z,,1'),
      'line 2: issuedAt "16/06/2026 10:00" is not an ISO 8601 instant',
    ],
    ['a missing field', csv('2026-06-16T10:00:00Z,2026-06-17T10:00:00Z,1'), 'line 2: 3 fields, 4 expected'],
  ])('refuses %s, naming the line and the field', (_, text, problem) => {
    const parsed = parseIssuedPvForecasts(text, arrays);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems[0]).toContain(problem);
  });
});

describe('forecastAsIssuedAt: what the planner had at each plan', () => {
  const parsed = parseIssuedPvForecasts(
    csv(
      '2026-06-15T10:00:00Z,2026-06-17T10:00:00Z,,1000',
      '2026-06-15T10:00:00Z,2026-06-17T11:00:00Z,,1100',
      '2026-06-16T10:00:00Z,2026-06-17T11:00:00Z,,2100',
      '2026-06-16T10:00:00Z,2026-06-17T12:00:00Z,,2200',
    ),
    arrays,
  );
  const issues = parsed.ok ? parsed.issues : [];
  const values = (now: string, from?: string) =>
    forecastAsIssuedAt(issues, new Date(now), from ? Date.parse(from) : undefined)?.points.map((p) => p.pvW);

  it.each([
    ['before any issue: none', '2026-06-15T09:59:00Z', undefined, undefined],
    ['after the first issue only: its points', '2026-06-15T12:00:00Z', undefined, [1000, 1100]],
    [
      'after both: the newest where it speaks, the older elsewhere',
      '2026-06-16T10:00:00Z',
      undefined,
      [1000, 2100, 2200],
    ],
    [
      'from a later slot: the day before it kept (its step)',
      '2026-06-17T11:00:00Z',
      '2026-06-17T11:00:00Z',
      [1000, 2100, 2200],
    ],
    ['two days later: nothing left of them', '2026-06-19T11:00:00Z', '2026-06-19T11:00:00Z', undefined],
  ])('%s', (_, now, from, expected) => expect(values(now, from)).toEqual(expected));

  it('says the newest issue it used', () => {
    expect(forecastAsIssuedAt(issues, new Date('2026-06-16T12:00:00Z'))?.issuedAt).toEqual(
      new Date('2026-06-16T10:00:00Z'),
    );
  });
});

describe('forecastAsPlanned: each point as the planner had it when its slot began', () => {
  const at = (h: number) => new Date(Date.UTC(2019, 3, 9, h));
  const issue = (issuedH: number, pvW: number, hours: number[], deviceId = '') => ({
    issuedAt: at(issuedH),
    points: hours.map((h) => ({ deviceId, at: at(h), pvW })),
  });
  it.each([
    ['the newest issue out by the slot wins', [issue(-14, 100, [10, 11]), issue(6, 200, [10, 11])], [200, 200]],
    ['an issue after the slot never reaches back', [issue(-14, 100, [10, 11]), issue(11, 300, [10, 11])], [100, 300]],
    ['in any order of the issues', [issue(6, 200, [10, 11]), issue(-14, 100, [10, 11])], [200, 200]],
  ])('%s', (_, issues, expected) => {
    expect(forecastAsPlanned(issues).map((p) => p.pvW)).toEqual(expected);
  });
  it('keeps each device apart and sorts by instant', () => {
    const points = forecastAsPlanned([issue(0, 5, [11, 10], 'pv-a'), issue(0, 7, [10], 'pv-b')]);
    expect(points.map((p) => [p.at.getUTCHours(), p.deviceId, p.pvW])).toEqual([
      [10, 'pv-a', 5],
      [10, 'pv-b', 7],
      [11, 'pv-a', 5],
    ]);
  });
});
