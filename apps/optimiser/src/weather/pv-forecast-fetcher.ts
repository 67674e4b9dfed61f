import { Logger } from '@nestjs/common';
import type { Clock } from '@ilot/domain';
import {
  type ExternalPvPoint,
  FORECAST_SOLAR_BASE_URL,
  forecastSolarUrl,
  OPEN_METEO_BASE_URL,
  openMeteoUrl,
  parseForecastSolar,
  parseHttpJson,
  parseOpenMeteo,
  parseSolcast,
  type ProviderParse,
  type TemperatureSample,
  SOLCAST_BASE_URL,
  solcastUrl,
} from '@ilot/forecasting';
import { PV_FORECAST_LIMITS } from '@ilot/protocol';
import { devicesOfKind, type ForecastProviderSpec, type Site } from '@ilot/site';
import type { PvForecastRepository, WeatherForecastRepository } from '@ilot/timeseries';
import type { OptimiserConfig } from '../optimiser.config';
import type { OptimiserMetrics } from '../optimiser.metrics';
import { FetchFailure, getJson } from './json-client';

export interface FetcherDeps {
  clock: Clock;
  config: Pick<
    OptimiserConfig,
    'ILOT_FORECAST_FETCH_S' | 'ILOT_FORECAST_TIMEOUT_MS' | 'ILOT_FORECAST_TRIES' | 'ILOT_FORECAST_RETRY_MS'
  >;
  pvForecasts: PvForecastRepository;
  /** Where the temperature a provider forecasts beside the PV is stored (the load model's, issue 27 §5). */
  weatherForecasts: WeatherForecastRepository;
  metrics: OptimiserMetrics;
  /** Solcast's API key (ILOT_SOLCAST_API_KEY or its _FILE), when a site names Solcast. */
  solcastApiKey?: string;
}

/** One request of a provider and how its answer becomes points. */
interface ProviderRequest {
  url: string;
  headers?: Record<string, string>;
  parse(body: unknown): ProviderParse;
}

/** A Retry-After up to this is waited for within a fetch; a longer one skips the provider until then. */
const MAX_RETRY_AFTER_WAIT_MS = 30_000;
/** Each fetch comes this share of the period early or late at random: many sites do not ask a provider at once. */
const JITTER_SHARE = 0.1;

/**
 * A site's weather providers (the site file's `forecast`, issue 27 §3): at start and every ILOT_FORECAST_FETCH_S
 * (jittered), the providers in order of preference until one answers whole; its forecast is stored as an issue of
 * `pv_forecasts` (`source` = the provider), the same table the `forecast` topic fills, so the planner, a replay and an
 * audit see exactly what was had. A provider failing is counted and the next one asked; when none answers, nothing
 * is stored and the last issue plans until it is older than the site's `forecast.maxAgeH`, then the planner's own
 * forecast.
 */
export class PvForecastFetcher {
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<unknown> = Promise.resolve();
  private stopped = false;
  /** Per provider (its index), no request before this real instant (a long Retry-After). */
  private readonly notBeforeMs = new Map<number, number>();

  constructor(
    private readonly site: Site,
    private readonly deps: FetcherDeps,
  ) {
    this.logger = new Logger(`PvForecast ${site.id}`);
  }

  start(): void {
    if (!this.site.forecast?.providers.length) return;
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.inFlight.catch(() => undefined);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.inFlight = this.fetchOnce().finally(() => {
        const periodMs = (this.deps.config.ILOT_FORECAST_FETCH_S * 1000) / this.deps.clock.speedup;
        this.schedule(periodMs * (1 + JITTER_SHARE * (2 * Math.random() - 1)));
      });
    }, delayMs);
    this.timer.unref?.();
  }

  /** One round: the providers in order until one answers whole; returns the source stored, if any. */
  async fetchOnce(): Promise<string | undefined> {
    const providers = this.site.forecast?.providers ?? [];
    const failures: string[] = [];
    for (const [index, provider] of providers.entries()) {
      const source = provider.type;
      const notBefore = this.notBeforeMs.get(index) ?? 0;
      if (Date.now() < notBefore) {
        failures.push(`${source}: rate limited until ${new Date(notBefore).toISOString()}`);
        continue;
      }
      if (provider.type === 'solcast') {
        // The account's calls a day, spread: one call per 24 h / dailyCalls at most, whatever ILOT_FORECAST_FETCH_S.
        const spacingMs = (24 * 3_600_000) / provider.dailyCalls;
        this.notBeforeMs.set(index, Date.now() + spacingMs);
      }
      try {
        const { points, temperatures } = await this.ask(provider);
        const issuedAt = this.deps.clock.now();
        await this.deps.pvForecasts.store(this.site.id, payloadOf(issuedAt, source, points), issuedAt);
        if (temperatures.length)
          await this.deps.weatherForecasts.store(
            this.site.id,
            source,
            issuedAt,
            temperatures.map((t) => ({ ts: t.at, airTempC: t.airTempC })),
          );
        this.deps.metrics.forecastFetches.inc({ site: this.site.id, source, outcome: 'ok' });
        this.deps.metrics.pvForecastIssued(this.site.id, source, issuedAt);
        if (failures.length) this.logger.warn(`${source} stored after ${failures.join('; ')}`);
        return source;
      } catch (error) {
        const failure = error instanceof FetchFailure ? error : new FetchFailure('invalid', (error as Error).message);
        if (failure.retryAfterMs) this.notBeforeMs.set(index, failure.retryAfterMs);
        this.deps.metrics.forecastFetches.inc({ site: this.site.id, source, outcome: failure.outcome });
        failures.push(`${source}: ${failure.message}`);
      }
    }
    this.logger.warn(
      `no weather provider answered (${failures.join('; ')}): the last forecast plans until it is ` +
        `${this.site.forecast?.maxAgeH} h old, then the planner's own`,
    );
    return undefined;
  }

  /**
   * Every request of a provider, answered and parsed whole, as one forecast's points, and the temperature it gave
   * (the first request's: one place, one air).
   */
  private async ask(
    provider: ForecastProviderSpec,
  ): Promise<{ points: ExternalPvPoint[]; temperatures: TemperatureSample[] }> {
    const { config } = this.deps;
    const points: ExternalPvPoint[] = [];
    let temperatures: TemperatureSample[] = [];
    for (const request of requestsOf(this.site, provider, this.deps.solcastApiKey)) {
      const body = await getJson(request.url, {
        ...(request.headers ? { headers: request.headers } : {}),
        timeoutMs: config.ILOT_FORECAST_TIMEOUT_MS,
        tries: config.ILOT_FORECAST_TRIES,
        retryBaseMs: config.ILOT_FORECAST_RETRY_MS,
        maxRetryAfterMs: MAX_RETRY_AFTER_WAIT_MS,
      });
      const parsed = request.parse(body);
      if (!parsed.ok) throw new FetchFailure('invalid', parsed.problem);
      points.push(...parsed.points);
      if (temperatures.length === 0 && parsed.temperatures) temperatures = parsed.temperatures;
    }
    return { points, temperatures };
  }
}

function requestsOf(site: Site, provider: ForecastProviderSpec, solcastApiKey?: string): ProviderRequest[] {
  const location = site.location!;
  switch (provider.type) {
    case 'http-json':
      return [{ url: provider.url, parse: (body) => parseHttpJson(body, provider) }];
    case 'solcast':
      if (!solcastApiKey)
        throw new FetchFailure('invalid', 'no Solcast API key: set ILOT_SOLCAST_API_KEY or ILOT_SOLCAST_API_KEY_FILE');
      return [
        {
          url: solcastUrl(provider.baseUrl ?? SOLCAST_BASE_URL, provider.resourceId),
          headers: { authorization: `Bearer ${solcastApiKey}` },
          parse: (body) => parseSolcast(body, provider.device),
        },
      ];
    case 'forecast-solar':
      return devicesOfKind(site, 'pv').map((array) => ({
        url: forecastSolarUrl(provider.baseUrl ?? FORECAST_SOLAR_BASE_URL, location, array),
        parse: (body: unknown) => parseForecastSolar(body, array),
      }));
    case 'open-meteo':
      return devicesOfKind(site, 'pv').map((array) => ({
        url: openMeteoUrl(provider.baseUrl ?? OPEN_METEO_BASE_URL, location, array),
        parse: (body: unknown) => parseOpenMeteo(body, array),
      }));
  }
}

/** The points as a `forecast` issue: within the topic's window around the issue, at most its number of points. */
function payloadOf(issuedAt: Date, source: string, points: readonly ExternalPvPoint[]) {
  const fromMs = issuedAt.getTime() - PV_FORECAST_LIMITS.maxLagMs;
  const toMs = issuedAt.getTime() + PV_FORECAST_LIMITS.maxLeadMs;
  const series = points
    .filter((p) => p.at.getTime() >= fromMs && p.at.getTime() <= toMs)
    .slice(0, PV_FORECAST_LIMITS.maxPoints)
    .map((p) => ({ ts: p.at.toISOString(), pvW: p.pvW, ...(p.deviceId ? { device: p.deviceId } : {}) }));
  if (series.length === 0) throw new FetchFailure('invalid', 'no point within a day before to 7 days after now');
  return { issuedAt: issuedAt.toISOString(), source, series };
}
