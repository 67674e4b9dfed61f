import { openMeteoUrl, parseOpenMeteo } from './open-meteo';
import { parseHttpJson } from './http-json';
import { forecastSolarUrl, parseForecastSolar } from './forecast-solar';
import { parseSolcast, solcastUrl } from './solcast';

/**
 * The providers' answers as their public documentation shows them: Open-Meteo's forecast API
 * (https://open-meteo.com/en/docs: `utc_offset_seconds`, `minutely_15` / `hourly` with `time` as local
 * "YYYY-MM-DDTHH:MM" and one array per variable; radiation the mean of the period before each time).
 */
const array = { id: 'pv-a', peakW: 10_000, tiltDeg: 35, azimuthDeg: 180 };

function openMeteo(section: 'hourly' | 'minutely_15', times: string[], gti: unknown[], offsetS = 0, temp?: number[]) {
  return {
    latitude: 45.76,
    longitude: 4.84,
    utc_offset_seconds: offsetS,
    timezone: offsetS ? 'Europe/Paris' : 'GMT',
    [`${section}_units`]: { time: 'iso8601', global_tilted_irradiance: 'W/m²', temperature_2m: '°C' },
    [section]: { time: times, global_tilted_irradiance: gti, temperature_2m: temp ?? gti.map(() => 25) },
  };
}

describe('Open-Meteo: the request', () => {
  it.each([
    [180, '0'],
    [90, '-90'],
    [270, '90'],
    [0, '-180'],
  ])("turns the compass azimuth %d into Open-Meteo's %s (0 south, -90 east)", (azimuthDeg, expected) => {
    const url = new URL(
      openMeteoUrl('http://local/', { latitudeDeg: 45.76, longitudeDeg: 4.84 }, { ...array, azimuthDeg }),
    );
    expect(url.pathname).toBe('/v1/forecast');
    expect(url.searchParams.get('azimuth')).toBe(expected);
    expect(url.searchParams.get('tilt')).toBe('35');
    expect(url.searchParams.get('timezone')).toBe('UTC');
    expect(url.searchParams.get('minutely_15')).toBe('global_tilted_irradiance,temperature_2m');
  });
});

describe('Open-Meteo: the answer made into forecast points', () => {
  it('places each point at the start of the period its mean covers, in UTC, at the array peak x AC power of 1 kWp', () => {
    const parsed = parseOpenMeteo(openMeteo('hourly', ['2026-06-17T11:00', '2026-06-17T12:00'], [1000, 500]), array);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.points.map((p) => p.at.toISOString())).toEqual([
      '2026-06-17T10:00:00.000Z',
      '2026-06-17T11:00:00.000Z',
    ]);
    // 1000 W/m² at 25 °C air: the cell at 56 °C loses 12.5 %, then the performance ratio: 10 kWp x 0.86 x 0.875.
    expect(parsed.points[0].pvW).toBeCloseTo(10 * 1000 * 0.86 * (1 - 0.004 * (25 + (1000 * 25) / 800 - 25)), 6);
    expect(parsed.points[0].deviceId).toBe('pv-a');
  });

  it('gives the air temperature at its own instant (not a period mean), in UTC, leaving out missing and absurd values', () => {
    const parsed = parseOpenMeteo(
      openMeteo('hourly', ['2026-01-17T11:00', '2026-01-17T12:00', '2026-01-17T13:00'], [100, 200, 300], 3600, [
        -3.5,
        null as unknown as number,
        999,
      ]),
      array,
    );
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(parsed.temperatures).toEqual([{ at: new Date('2026-01-17T10:00:00Z'), airTempC: -3.5 }]);
    const none = parseOpenMeteo(
      {
        utc_offset_seconds: 0,
        hourly: { time: ['2026-01-17T11:00', '2026-01-17T12:00'], global_tilted_irradiance: [1, 2] },
      },
      array,
    );
    expect(none.ok && none.temperatures).toBeUndefined();
  });

  it("reads times in the answer's own offset (a shifted time zone lands on the same instants)", () => {
    const utc = parseOpenMeteo(openMeteo('hourly', ['2026-06-17T11:00', '2026-06-17T12:00'], [800, 600]), array);
    const paris = parseOpenMeteo(
      openMeteo('hourly', ['2026-06-17T13:00', '2026-06-17T14:00'], [800, 600], 7200),
      array,
    );
    expect(paris).toEqual(utc);
  });

  it('prefers the 15-minute series, and takes the hourly one where the 15-minute one is empty', () => {
    const both = {
      ...openMeteo('hourly', ['2026-06-17T11:00', '2026-06-17T12:00'], [1000, 1000]),
      minutely_15: {
        time: ['2026-06-17T11:15', '2026-06-17T11:30'],
        global_tilted_irradiance: [200, 200],
        temperature_2m: [20, 20],
      },
    };
    const fine = parseOpenMeteo(both, array);
    expect(fine.ok && fine.points.map((p) => p.at.toISOString())).toEqual([
      '2026-06-17T11:00:00.000Z',
      '2026-06-17T11:15:00.000Z',
    ]);
    const emptyFine = parseOpenMeteo(
      { ...both, minutely_15: { ...both.minutely_15, global_tilted_irradiance: [null, null] } },
      array,
    );
    expect(emptyFine.ok && emptyFine.points).toHaveLength(2);
    expect(emptyFine.ok && emptyFine.points[0].at.toISOString()).toBe('2026-06-17T10:00:00.000Z');
  });

  it("holds the inverter's limit, makes a negative irradiance 0, and leaves a missing value out", () => {
    const parsed = parseOpenMeteo(
      openMeteo('hourly', ['2026-06-17T11:00', '2026-06-17T12:00', '2026-06-17T13:00'], [1100, -84, null]),
      { ...array, inverterW: 6000 },
    );
    expect(parsed.ok && parsed.points.map((p) => p.pvW)).toEqual([6000, 0]);
  });

  it.each([
    ['not an object', 'upstream timeout', /not a JSON object/],
    ['a refusal', { error: true, reason: 'Latitude must be in range of -90 to 90°' }, /refused: Latitude must/],
    ['no offset', { hourly: { time: ['2026-06-17T11:00'], global_tilted_irradiance: [1] } }, /utc_offset_seconds/],
    [
      'no irradiance',
      { utc_offset_seconds: 0, hourly: { time: ['2026-06-17T11:00'], temperature_2m: [1] } },
      /no global_tilted_irradiance/,
    ],
    [
      'lengths differing',
      { utc_offset_seconds: 0, hourly: { time: ['2026-06-17T11:00'], global_tilted_irradiance: [1, 2] } },
      /differ in length/,
    ],
    ['a bad time', openMeteo('hourly', ['2026-06-17T11:00', 'noon'], [1, 2]), /time\[1\] "noon"/],
    ['times going back', openMeteo('hourly', ['2026-06-17T12:00', '2026-06-17T11:00'], [1, 2]), /time\[1\]/],
  ])('refuses %s with its reason', (_, body, reason) => {
    const parsed = parseOpenMeteo(body, array);
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.problem).toMatch(reason);
  });
});

describe('HTTP JSON: any source by a mapping of its fields', () => {
  const mapping = {
    seriesPath: 'result.forecast',
    timeField: 'period_end',
    powerField: 'pv_estimate',
    powerUnit: 'kW' as const,
    timeIs: 'end' as const,
  };
  const body = (entries: unknown[]) => ({ result: { forecast: entries } });

  it('reads the mapped fields, turns kW into W and an end time into the start of its period, sorted', () => {
    const parsed = parseHttpJson(
      body([
        { period_end: '2026-06-17T12:30:00+02:00', pv_estimate: 2.5 },
        { period_end: '2026-06-17T10:00:00Z', pv_estimate: 1.5 },
      ]),
      mapping,
    );
    expect(parsed.ok && parsed.points.map((p) => [p.at.toISOString(), p.pvW, p.deviceId])).toEqual([
      ['2026-06-17T09:30:00.000Z', 1500, ''],
      ['2026-06-17T10:00:00.000Z', 2500, ''],
    ]);
  });

  it('takes epoch seconds and a device', () => {
    const parsed = parseHttpJson(
      [
        { t: 1_781_690_400, w: 100 },
        { t: 1_781_691_300, w: 200 },
      ],
      {
        timeField: 't',
        powerField: 'w',
        powerUnit: 'W',
        timeIs: 'start',
        device: 'pv-a',
      },
    );
    expect(parsed.ok && parsed.points.map((p) => [p.at.getTime() / 1000, p.pvW, p.deviceId])).toEqual([
      [1_781_690_400, 100, 'pv-a'],
      [1_781_691_300, 200, 'pv-a'],
    ]);
  });

  it.each([
    ['no series', { result: {} }, /no array at "result.forecast"/],
    [
      'a local time without offset',
      body([
        { period_end: '2026-06-17T12:30:00', pv_estimate: 1 },
        { period_end: '2026-06-17T13:00:00Z', pv_estimate: 1 },
      ]),
      /entry 0: period_end/,
    ],
    [
      'a negative power',
      body([
        { period_end: '2026-06-17T12:30:00Z', pv_estimate: -1 },
        { period_end: '2026-06-17T13:00:00Z', pv_estimate: 1 },
      ]),
      /entry 0: pv_estimate/,
    ],
    [
      'a missing power',
      body([{ period_end: '2026-06-17T12:30:00Z' }, { period_end: '2026-06-17T13:00:00Z', pv_estimate: 1 }]),
      /entry 0: pv_estimate/,
    ],
    ['one entry', body([{ period_end: '2026-06-17T12:30:00Z', pv_estimate: 1 }]), /fewer than two/],
  ])('refuses %s, whole and named', (_, answer, reason) => {
    const parsed = parseHttpJson(answer, mapping);
    expect(!parsed.ok && parsed.problem).toMatch(reason);
  });
});

/**
 * Forecast.Solar's estimate as its documentation shows it (https://doc.forecast.solar/api:estimate and /api:
 * `result.watts` keyed by time, `?time=utc` for instants with their offset, sunrise to sunset; `message`).
 */
describe('Forecast.Solar', () => {
  it('asks for the plane with its declination, its azimuth from the south, its kWp and inverter, in UTC', () => {
    const url = new URL(
      forecastSolarUrl(
        'http://local',
        { latitudeDeg: 45.76, longitudeDeg: 4.84 },
        { ...array, azimuthDeg: 135, inverterW: 8000 },
      ),
    );
    expect(url.pathname).toBe('/estimate/45.76/4.84/35/-45/10');
    expect(url.searchParams.get('time')).toBe('utc');
    expect(url.searchParams.get('inverter')).toBe('8');
  });

  it('makes each power at an instant into the mean to the next one, and holds the sunset through the night', () => {
    const parsed = parseForecastSolar(
      {
        result: {
          watts: {
            '2026-06-17T04:00:00+00:00': 0,
            '2026-06-17T05:00:00+00:00': 1000,
            '2026-06-17T06:00:00+00:00': 3000,
            '2026-06-17T07:00:00+00:00': 0,
            '2026-06-18T04:00:00+00:00': 0,
          },
        },
        message: { code: 0, type: 'success', text: '', ratelimit: { period: 3600, limit: 12, remaining: 11 } },
      },
      array,
    );
    expect(parsed.ok && parsed.points.map((p) => [p.at.toISOString().slice(0, 16), p.pvW])).toEqual([
      ['2026-06-17T04:00', 500],
      ['2026-06-17T05:00', 2000],
      ['2026-06-17T06:00', 1500],
      ['2026-06-17T07:00', 0],
      ['2026-06-18T04:00', 0],
    ]);
  });

  it.each([
    [
      'an error message',
      { result: null, message: { code: 429, type: 'error', text: 'Rate limit for API calls reached.' } },
      /Rate limit for API calls reached/,
    ],
    [
      'a local time',
      { result: { watts: { '2026-06-17 05:00:00': 1, '2026-06-17T06:00:00+00:00': 2 } } },
      /not an instant with its offset/,
    ],
    [
      'a negative power',
      { result: { watts: { '2026-06-17T05:00:00Z': -1, '2026-06-17T06:00:00Z': 2 } } },
      /not a power of 0 or more/,
    ],
  ])('refuses %s', (_, body, reason) => {
    const parsed = parseForecastSolar(body, array);
    expect(!parsed.ok && parsed.problem).toMatch(reason);
  });
});

/** Solcast's rooftop forecast as its documentation shows it (`forecasts[]` of `pv_estimate` kW, `period_end`, `period`). */
describe('Solcast', () => {
  it('asks for the rooftop site by its id, 48 hours, and leaves the key out of the URL', () => {
    expect(solcastUrl('https://api.solcast.com.au/', 'ab12-cd34')).toBe(
      'https://api.solcast.com.au/rooftop_sites/ab12-cd34/forecasts?format=json&hours=48',
    );
  });

  it('places each half hour at its start, in W', () => {
    const parsed = parseSolcast(
      {
        forecasts: [
          {
            pv_estimate: 1.25,
            pv_estimate10: 0.5,
            pv_estimate90: 2,
            period_end: '2026-06-17T10:30:00.0000000Z',
            period: 'PT30M',
          },
          {
            pv_estimate: 2.5,
            pv_estimate10: 1,
            pv_estimate90: 3,
            period_end: '2026-06-17T11:00:00.0000000Z',
            period: 'PT30M',
          },
        ],
      },
      'pv-a',
    );
    expect(parsed.ok && parsed.points.map((p) => [p.at.toISOString(), p.pvW, p.deviceId])).toEqual([
      ['2026-06-17T10:00:00.000Z', 1250, 'pv-a'],
      ['2026-06-17T10:30:00.000Z', 2500, 'pv-a'],
    ]);
  });
});
