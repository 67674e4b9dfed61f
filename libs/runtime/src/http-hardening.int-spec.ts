import 'reflect-metadata';
import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { bootstrapHttpApp } from './bootstrap';
import { loadRuntimeConfig } from './config';

@Controller()
class PingController {
  @Get('api/v1/ping')
  ping() {
    return { ok: true };
  }

  @Get('metrics')
  metrics() {
    return 'not limited';
  }
}

@Module({ controllers: [PingController] })
class PingModule {}

/** The HTTP edge every app gets from bootstrapHttpApp, on a real listener: the API's rate limit per client address. */
describe('the API rate limit (real HTTP listener)', () => {
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    const config = loadRuntimeConfig({
      ILOT_MQTT_URL: 'mqtt://127.0.0.1:1',
      ILOT_DATABASE_URL: 'postgres://127.0.0.1:1/none',
      ILOT_HTTP_PORT: '0',
      ILOT_HTTP_HOST: '127.0.0.1',
      ILOT_HTTP_RATE_PER_MIN: '30', // bursts of 6, then one every 2 s
      ILOT_LOG_LEVEL: 'error',
    });
    app = await bootstrapHttpApp(PingModule, config, false);
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(() => app?.close());

  it('lets a burst through, then answers 429 with Retry-After and the reason; /metrics is not limited', async () => {
    const statuses = [];
    for (let k = 0; k < 6; k++) statuses.push((await fetch(`${base}/api/v1/ping`)).status);
    expect(statuses).toEqual(Array(6).fill(200));
    const refused = await fetch(`${base}/api/v1/ping`);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(((await refused.json()) as { message: string }).message).toMatch(
      /^more than 30 requests a minute from this address: retry in \d+ s$/,
    );
    expect(refused.headers.get('x-content-type-options')).toBe('nosniff');
    for (let k = 0; k < 10; k++) expect((await fetch(`${base}/metrics`)).status).toBe(200);
  });
});
