import { DAY_MS, SystemClock } from '@ilot/domain';
import { loadSiteFile, type Site, validateSite } from '@ilot/site';
import { openDatabase, PvForecastRepository, WeatherForecastRepository } from '@ilot/timeseries';
import { createTestDatabase, type TestDatabase } from '@ilot/timeseries/testing/test-database';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { DataSource } from 'typeorm';
import { parse } from 'yaml';
import { OptimiserMetrics } from '../optimiser.metrics';
import { PvForecastFetcher } from './pv-forecast-fetcher';
import { WeatherServer } from './testing/weather-server';

/**
 * Issue 27 §3: a site's weather providers asked by the real HTTP client (a local server answering each provider's
 * documented shape, and failing as providers do), each answer stored in the real PostgreSQL as an issue of
 * `pv_forecasts`.
 */
describe('PvForecastFetcher: weather providers, asked in order, stored as issued forecasts', () => {
  const demoPath = join(__dirname, '..', '..', '..', '..', 'sites', 'demo.yaml');
  const pvIds = [...loadSiteFile(demoPath).devices.values()].filter((d) => d.kind === 'pv').map((d) => d.id);
  let database: TestDatabase;
  let db: DataSource;
  let forecasts: PvForecastRepository;
  let temperatures: WeatherForecastRepository;
  let server: WeatherServer;
  let baseUrl: string;
  let registry: Registry;
  let metrics: OptimiserMetrics;
  let n = 0;

  beforeAll(async () => {
    database = await createTestDatabase('ilot_weather');
    db = await openDatabase(database.url);
    forecasts = new PvForecastRepository(db);
    temperatures = new WeatherForecastRepository(db);
    server = new WeatherServer();
    baseUrl = await server.start();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await db?.destroy();
    await database?.drop();
  });
  beforeEach(() => {
    server.queue.length = 0;
    server.requests.length = 0;
    server.authorizations.length = 0;
    server.fallback = { kind: 'open-meteo' };
    registry = new Registry();
    metrics = new OptimiserMetrics(registry);
  });

  /** The demo îlot under its own id, with the providers given. */
  function siteWith(providers: unknown[]): Site {
    const raw = parse(readFileSync(demoPath, 'utf8'));
    return validateSite({ ...raw, id: `weather-${++n}`, forecast: { providers } }, 'test');
  }
  const fetcher = (site: Site, solcastApiKey?: string) =>
    new PvForecastFetcher(site, {
      ...(solcastApiKey ? { solcastApiKey } : {}),
      clock: new SystemClock(),
      config: {
        ILOT_FORECAST_FETCH_S: 3600,
        ILOT_FORECAST_TIMEOUT_MS: 300,
        ILOT_FORECAST_TRIES: 2,
        ILOT_FORECAST_RETRY_MS: 20,
      },
      pvForecasts: forecasts,
      weatherForecasts: temperatures,
      metrics,
    });
  const fetches = async () => (await registry.getSingleMetric('ilot_forecast_fetches_total')!.get()).values;
  const outcomes = async () => (await fetches()).map((v) => `${v.labels.source}:${v.labels.outcome}=${v.value}`).sort();
  const stored = (site: Site) =>
    forecasts.newest(site.id, new Date(Date.now() - 60_000), new Date(0), new Date(Date.now() + 3 * 86_400_000));

  it('asks Open-Meteo once per array for its plane, and stores its points per array under the source', async () => {
    const site = siteWith([{ type: 'open-meteo', baseUrl }]);
    expect(await fetcher(site).fetchOnce()).toBe('open-meteo');
    expect(server.requests.map((u) => u.pathname)).toEqual(pvIds.map(() => '/v1/forecast'));
    expect(
      server.requests.every((u) => u.searchParams.get('tilt') === '30' && u.searchParams.get('azimuth') === '0'),
    ).toBe(true);
    const issue = (await stored(site))!;
    expect(issue.source).toBe('open-meteo');
    expect(new Set(issue.points.map((p) => p.deviceId))).toEqual(new Set(pvIds));
    // Noon UTC under the bell's peak (800 W/m²): the array's peak x 0.8 x 0.86 x the temperature's loss, under its peak.
    // The 15-min series: 11:45-12:00 UTC, its mean at 11:52:30 on the bell (peak 800 W/m²), 18.5 °C air.
    const [first] = pvIds;
    const peakW = (site.devices.get(first) as { peakW: number }).peakW;
    const gti = 800 * Math.sin(((11.875 - 6) / 12) * Math.PI);
    const expectedW = (peakW / 1000) * gti * 0.86 * (1 - 0.004 * (18.5 + (gti * 25) / 800 - 25));
    const noon = issue.points.find(
      (p) => p.deviceId === first && p.ts.getUTCHours() === 11 && p.ts.getUTCMinutes() === 45,
    )!;
    expect(noon.pvW).toBeCloseTo(expectedW, -1); // the answer rounds the irradiance to 0.1 W/m²
    expect(await outcomes()).toEqual(['open-meteo:ok=1']);
    const age = (await registry.getSingleMetric('ilot_pv_forecast_age_seconds')!.get()).values;
    expect(age).toEqual([expect.objectContaining({ labels: { site: site.id, source: 'open-meteo' } })]);
    expect(age[0].value).toBeLessThan(5);
    // The air temperature beside it, stored as the same issue for the load model (issue 27 §5), once for the site.
    const known = await temperatures.known(
      site.id,
      new Date(Date.now() - DAY_MS),
      new Date(Date.now() + 2 * DAY_MS),
      new Date(),
    );
    expect(known.length).toBeGreaterThan(24);
    expect(new Set(known.map((t) => t.airTempC))).toEqual(new Set([18.5]));
  });

  it('reads an answer in a shifted time zone onto the same instants', async () => {
    const utc = siteWith([{ type: 'open-meteo', baseUrl }]);
    const paris = siteWith([{ type: 'open-meteo', baseUrl }]);
    await fetcher(utc).fetchOnce();
    server.fallback = { kind: 'open-meteo', offsetS: 7200 };
    await fetcher(paris).fetchOnce();
    const byInstant = async (site: Site) =>
      new Map((await stored(site))!.points.filter((p) => p.deviceId === pvIds[0]).map((p) => [p.ts.getTime(), p.pvW]));
    const a = await byInstant(utc);
    const b = await byInstant(paris);
    const common = [...a.keys()].filter((t) => b.has(t));
    expect(common.length).toBeGreaterThan(90);
    for (const t of common) expect(b.get(t)).toBeCloseTo(a.get(t)!, 6);
  });

  it.each([
    ['a 500', { kind: 'status' as const, status: 500 }, 'open-meteo:ok=1'],
    ['a timeout', { kind: 'hang' as const }, 'open-meteo:ok=1'],
    ['a truncated answer', { kind: 'truncated' as const }, 'open-meteo:ok=1'],
    ['a short Retry-After', { kind: 'status' as const, status: 429, retryAfter: '0' }, 'open-meteo:ok=1'],
  ])('asks again after %s, and stores the answer that comes', async (_, first, outcome) => {
    const site = siteWith([{ type: 'open-meteo', baseUrl }]);
    server.queue.push(first);
    expect(await fetcher(site).fetchOnce()).toBe('open-meteo');
    expect(server.requests).toHaveLength(pvIds.length + 1);
    expect(await outcomes()).toEqual([outcome]);
  });

  it('falls to the next provider when one keeps failing, and names each failure in the counter', async () => {
    const site = siteWith([
      { type: 'open-meteo', baseUrl },
      {
        type: 'http-json',
        url: `${baseUrl}/custom`,
        seriesPath: 'forecast',
        timeField: 't',
        powerField: 'kw',
        powerUnit: 'kW',
      },
    ]);
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    server.queue.push({ kind: 'status', status: 503 }, { kind: 'status', status: 503 });
    server.queue.push({
      kind: 'json',
      body: { forecast: [0, 1, 2].map((h) => ({ t: new Date(hour + h * 3_600_000).toISOString(), kw: 12.5 })) },
    });
    expect(await fetcher(site).fetchOnce()).toBe('http-json');
    const issue = (await stored(site))!;
    expect(issue.source).toBe('http-json');
    expect(issue.points.map((p) => [p.deviceId, p.pvW])).toEqual([
      ['', 12_500],
      ['', 12_500],
      ['', 12_500],
    ]);
    expect(await outcomes()).toEqual(['http-json:ok=1', 'open-meteo:http_error=1']);
  });

  it('does not ask a provider again before a long Retry-After, and stores nothing when none answers', async () => {
    const site = siteWith([{ type: 'open-meteo', baseUrl }]);
    const weather = fetcher(site);
    server.queue.push({ kind: 'status', status: 429, retryAfter: '3600' });
    expect(await weather.fetchOnce()).toBeUndefined();
    expect(server.requests).toHaveLength(1);
    expect(await weather.fetchOnce()).toBeUndefined();
    expect(server.requests).toHaveLength(1);
    expect(await stored(site)).toBeUndefined();
    expect(await outcomes()).toEqual(['open-meteo:rate_limited=1']);
  });

  it.each([
    ['a 400 (not asked again: the request is wrong)', { kind: 'status' as const, status: 400 }, 'http_error'],
    [
      'an answer without irradiance (not asked again: it came whole)',
      { kind: 'json' as const, body: { utc_offset_seconds: 0, hourly: { time: [] } } },
      'invalid',
    ],
  ])('stores nothing from %s', async (_, answer, outcome) => {
    const site = siteWith([{ type: 'open-meteo', baseUrl }]);
    server.fallback = answer;
    expect(await fetcher(site).fetchOnce()).toBeUndefined();
    expect(server.requests).toHaveLength(1);
    expect(await stored(site)).toBeUndefined();
    expect(await outcomes()).toEqual([`open-meteo:${outcome}=1`]);
  });

  it('asks Forecast.Solar per plane and stores the means between its instants', async () => {
    const site = siteWith([{ type: 'forecast-solar', baseUrl }]);
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const watts = Object.fromEntries(
      [0, 1, 2].map((h) => [new Date(hour + h * 3_600_000).toISOString(), 1000 * (h + 1)]),
    );
    server.fallback = { kind: 'json', body: { result: { watts }, message: { code: 0, type: 'success', text: '' } } };
    expect(await fetcher(site).fetchOnce()).toBe('forecast-solar');
    expect(server.requests[0].pathname).toMatch(/^\/estimate\/45\.\d+\/4\.\d+\/30\/0\/\d+(\.\d+)?$/);
    const issue = (await stored(site))!;
    expect(issue.points.filter((p) => p.deviceId === pvIds[0]).map((p) => p.pvW)).toEqual([1500, 2500, 3000]);
  });

  it('sends Solcast its key in the Authorization header, and keeps to its calls a day', async () => {
    const site = siteWith([{ type: 'solcast', baseUrl, resourceId: 'ab12-cd34', dailyCalls: 10 }]);
    const period = Math.ceil(Date.now() / 1_800_000) * 1_800_000;
    server.fallback = {
      kind: 'json',
      body: {
        forecasts: [1, 2, 3].map((k) => ({
          pv_estimate: 4.2,
          period_end: new Date(period + k * 1_800_000).toISOString().replace('Z', '0000Z'),
          period: 'PT30M',
        })),
      },
    };
    const weather = fetcher(site, 'secret-key-123');
    expect(await weather.fetchOnce()).toBe('solcast');
    expect(server.requests.map((u) => u.pathname + u.search)).toEqual([
      '/rooftop_sites/ab12-cd34/forecasts?format=json&hours=48',
    ]);
    expect(server.authorizations).toEqual(['Bearer secret-key-123']);
    expect((await stored(site))!.points.map((p) => p.pvW)).toEqual([4200, 4200, 4200]);
    // Ten calls a day: the next fetch within 2.4 h asks nothing.
    expect(await weather.fetchOnce()).toBeUndefined();
    expect(server.requests).toHaveLength(1);
  });

  it('counts a Solcast provider without a key as invalid, and asks nothing', async () => {
    const site = siteWith([{ type: 'solcast', baseUrl, resourceId: 'ab12-cd34' }]);
    expect(await fetcher(site).fetchOnce()).toBeUndefined();
    expect(server.requests).toHaveLength(0);
    expect(await outcomes()).toEqual(['solcast:invalid=1']);
  });
});
