import { OWN_PV_SOURCE } from '@ilot/optimiser';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { appendFileSync } from 'node:fs';
import { Client } from 'pg';
import type { RunningIlot } from '../apps/ilot/src/ilot.app';
import { WeatherServer } from '../apps/optimiser/src/weather/testing/weather-server';
import { startTestIlot } from './support/test-ilot';
import { clearRetained, TEST_MQTT_URL, uniqueDemoSite, waitFor } from './support/services';

const SPEEDUP = 120;
const SIM_START = '2026-06-17T07:00:00Z';

/**
 * Issue 27 §3, end to end: the whole îlot with its site file's `forecast` naming Open-Meteo, pointed at a local server
 * answering Open-Meteo's documented shape. The planner plans on it (the schedule's `pvSource` says so); when the
 * provider fails and its last forecast passes the site's `maxAgeH`, the planner's own forecast plans again and says so.
 */
describe('the îlot plans on a weather provider, and falls back to its own forecast when the provider stops', () => {
  let database: TestDatabase;
  let ilot: RunningIlot;
  let db: Client;
  let weather: WeatherServer;
  const { path: siteFile, siteId } = uniqueDemoSite('e2e-weather');
  const realStartMs = Date.now();
  const simNowMs = () => Date.parse(SIM_START) + (Date.now() - realStartMs) * SPEEDUP;

  const latestPlan = async () =>
    (
      await db.query<{
        document: {
          forecast?: { pvSource?: string; loadModel?: string };
          slots: Array<{ start: string; pvW: number }>;
        };
      }>('SELECT document FROM plans WHERE site_id = $1 ORDER BY id DESC LIMIT 1', [siteId])
    ).rows[0]?.document;
  const metric = async (pattern: RegExp) =>
    Number((await (await fetch(`http://127.0.0.1:${ilot.httpPort}/metrics`)).text()).match(pattern)?.[1]);

  beforeAll(async () => {
    weather = new WeatherServer(simNowMs);
    const baseUrl = await weather.start();
    // Half an hour of simulated time is 15 s here: the forecast is old enough to be dropped within the test.
    appendFileSync(
      siteFile,
      `forecast:\n  providers:\n    - type: open-meteo\n      baseUrl: ${baseUrl}\n  maxAgeH: 0.5\n`,
    );
    database = await createTestDatabase('ilot_e2e_weather');
    ilot = await startTestIlot(
      database.url,
      siteFile,
      { speedup: SPEEDUP, simStart: SIM_START },
      {
        ILOT_SIM_START_REAL: new Date(realStartMs).toISOString(),
        // Every 10 simulated minutes (5 s here), one try each.
        ILOT_FORECAST_FETCH_S: '600',
        ILOT_FORECAST_TRIES: '1',
        ILOT_FORECAST_TIMEOUT_MS: '2000',
      },
    );
    db = new Client({ connectionString: database.url });
    await db.connect();
  }, 90_000);

  afterAll(async () => {
    await ilot?.stop();
    await db?.end();
    await weather?.stop();
    await clearRetained(TEST_MQTT_URL, siteId);
    await database?.drop();
  }, 30_000);

  it('asks Open-Meteo for each array, stores its forecast, and plans on it', async () => {
    await waitFor(
      'a plan on the Open-Meteo forecast',
      async () => (await latestPlan())?.forecast?.pvSource?.includes('"open-meteo"') ?? false,
      30_000,
    );
    const requests = weather.requests.filter((u) => u.pathname === '/v1/forecast');
    expect(requests.length).toBeGreaterThanOrEqual(4);
    expect(requests.every((u) => u.searchParams.get('timezone') === 'UTC')).toBe(true);
    const stored = await db.query<{ source: string; n: number }>(
      'SELECT source, count(*)::int AS n FROM pv_forecasts WHERE site_id = $1 GROUP BY 1',
      [siteId],
    );
    expect(stored.rows).toEqual([{ source: 'open-meteo', n: expect.any(Number) }]);
    // Its air temperature beside it, for the load model (issue 27 §5).
    const temperatures = await db.query<{ source: string; n: number }>(
      'SELECT source, count(*)::int AS n FROM weather_forecasts WHERE site_id = $1 GROUP BY 1',
      [siteId],
    );
    expect(temperatures.rows).toEqual([{ source: 'open-meteo', n: expect.any(Number) }]);
    expect(temperatures.rows[0].n).toBeGreaterThan(24);
    const { forecast, slots } = (await latestPlan())!;
    expect(forecast!.pvSource).toMatch(/of 96 slots/);
    // Minutes of history: the learnt load model has too little to fit, and the schedule says the profile planned.
    expect(forecast!.loadModel).toBe('profile (too little history for the learnt model)');
    // After 18:00 UTC the bell is dark: the provider's forecast planned those slots at 0.
    const evening = slots.filter((s) => new Date(s.start).getUTCHours() === 19);
    expect(evening.length).toBeGreaterThan(0);
    for (const slot of evening) expect(slot.pvW).toBe(0);
    expect(
      await metric(
        new RegExp(`^ilot_forecast_fetches_total\\{site="${siteId}",source="open-meteo",outcome="ok"\\} (\\S+)$`, 'm'),
      ),
    ).toBeGreaterThan(0);
  }, 60_000);

  it("falls back to its own forecast once the provider fails past the site's maxAgeH, and counts the failures", async () => {
    weather.fallback = { kind: 'status', status: 500 };
    await waitFor(
      'a plan on the own forecast',
      async () => (await latestPlan())?.forecast?.pvSource === OWN_PV_SOURCE,
      60_000,
    );
    expect(
      await metric(
        new RegExp(
          `^ilot_forecast_fetches_total\\{site="${siteId}",source="open-meteo",outcome="http_error"\\} (\\S+)$`,
          'm',
        ),
      ),
    ).toBeGreaterThan(0);
    expect(
      await metric(new RegExp(`^ilot_pv_forecast_age_seconds\\{site="${siteId}",source="open-meteo"\\} (\\S+)$`, 'm')),
    ).toBeGreaterThan(1800);
    // It comes back: the next answer is planned on again.
    weather.fallback = { kind: 'open-meteo' };
    await waitFor(
      'a plan on Open-Meteo again',
      async () => (await latestPlan())?.forecast?.pvSource?.includes('"open-meteo"') ?? false,
      30_000,
    );
  }, 120_000);
});
