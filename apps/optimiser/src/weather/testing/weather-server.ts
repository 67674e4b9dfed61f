import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the server answers one request. */
export type WeatherAnswer =
  /** Open-Meteo's forecast answer (https://open-meteo.com/en/docs), its times in the offset given. */
  | { kind: 'open-meteo'; offsetS?: number; peakWPerM2?: number }
  | { kind: 'status'; status: number; retryAfter?: string }
  /** Headers, then nothing: the client's timeout must end it. */
  | { kind: 'hang' }
  /** Half an Open-Meteo answer, cut mid-document. */
  | { kind: 'truncated' }
  | { kind: 'json'; body: unknown };

const HOUR_MS = 3_600_000;

/**
 * A local stand-in for the weather providers (no network here): answers each request with the next queued answer,
 * else `fallback`, and records the requests. The Open-Meteo answer is written from its public documentation
 * (https://open-meteo.com/en/docs): `utc_offset_seconds`, `hourly` and `minutely_15` each with `time` as local
 * "YYYY-MM-DDTHH:MM" from the local day's start and one array per variable asked, radiation the mean of the period
 * before each time; `forecast_days` days. Its tilted irradiance is a bell from 06:00 to 18:00 UTC.
 */
export class WeatherServer {
  readonly requests: URL[] = [];
  /** Each request's Authorization header (a key must travel there, never in the URL). */
  readonly authorizations: Array<string | undefined> = [];
  readonly queue: WeatherAnswer[] = [];
  fallback: WeatherAnswer = { kind: 'open-meteo' };
  private server: Server | undefined;
  private readonly hanging = new Set<ServerResponse>();

  /** `nowMs`: the îlot's clock (simulated in a demo), which the answer's days are aligned on. */
  constructor(private readonly nowMs: () => number = Date.now) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => this.answer(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://local');
    this.requests.push(url);
    this.authorizations.push(request.headers.authorization);
    const answer = this.queue.shift() ?? this.fallback;
    const json = (status: number, body: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/json', ...headers });
      response.end(body);
    };
    switch (answer.kind) {
      case 'open-meteo':
        return json(200, JSON.stringify(this.openMeteo(url, answer.offsetS ?? 0, answer.peakWPerM2 ?? 800)));
      case 'status':
        return json(answer.status, JSON.stringify({ error: true, reason: `status ${answer.status}` }), {
          ...(answer.retryAfter ? { 'retry-after': answer.retryAfter } : {}),
        });
      case 'hang':
        this.hanging.add(response);
        response.writeHead(200, { 'content-type': 'application/json' });
        return;
      case 'truncated':
        return json(200, JSON.stringify(this.openMeteo(url, 0, 800)).slice(0, 300));
      case 'json':
        return json(200, JSON.stringify(answer.body));
    }
  }

  private openMeteo(url: URL, offsetS: number, peakWPerM2: number) {
    const days = Number(url.searchParams.get('forecast_days') ?? 7);
    const localDayStartMs = Math.floor((this.nowMs() + offsetS * 1000) / (24 * HOUR_MS)) * 24 * HOUR_MS;
    const series = (stepMs: number) => {
      const count = (days * 24 * HOUR_MS) / stepMs;
      const localMs = Array.from({ length: count }, (_, k) => localDayStartMs + k * stepMs);
      // The mean over the period before each time, taken at its middle.
      const gti = localMs.map((ms) => {
        const hourUtc = (((ms - offsetS * 1000 - stepMs / 2) % (24 * HOUR_MS)) / HOUR_MS + 24) % 24;
        return hourUtc > 6 && hourUtc < 18
          ? Math.round(peakWPerM2 * Math.sin(((hourUtc - 6) / 12) * Math.PI) * 10) / 10
          : 0;
      });
      return {
        time: localMs.map((ms) => new Date(ms).toISOString().slice(0, 16)),
        global_tilted_irradiance: gti,
        temperature_2m: gti.map(() => 18.5),
      };
    };
    return {
      latitude: Number(url.searchParams.get('latitude')),
      longitude: Number(url.searchParams.get('longitude')),
      generationtime_ms: 0.4,
      utc_offset_seconds: offsetS,
      timezone: offsetS ? 'Europe/Paris' : 'GMT',
      timezone_abbreviation: offsetS ? 'CEST' : 'GMT',
      elevation: 170,
      hourly_units: { time: 'iso8601', global_tilted_irradiance: 'W/m²', temperature_2m: '°C' },
      hourly: series(HOUR_MS),
      minutely_15_units: { time: 'iso8601', global_tilted_irradiance: 'W/m²', temperature_2m: '°C' },
      minutely_15: series(15 * 60_000),
    };
  }
}
