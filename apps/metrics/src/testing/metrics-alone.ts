import 'reflect-metadata';
import { INestApplication, Module } from '@nestjs/common';
import { bootstrapHttpApp, loadRuntimeConfig, RuntimeModule } from '@ilot/runtime';
import type { Site } from '@ilot/site';
import type { AddressInfo } from 'node:net';
import { loadMetricsConfig } from '../metrics.config';
import { MetricsModule } from '../metrics.module';

/** The metrics app alone (no broker), on a database, for one site: its API's base URL for the site. */
export async function startMetricsAlone(
  site: Site,
  env: Record<string, string>,
): Promise<{ app: INestApplication; base: string }> {
  const full = {
    ILOT_MQTT_URL: 'mqtt://127.0.0.1:1',
    ILOT_HTTP_PORT: '0',
    ILOT_LOG_LEVEL: 'warn',
    ...env,
  };
  @Module({
    imports: [RuntimeModule.forRoot(loadRuntimeConfig(full), site), MetricsModule.forRoot(loadMetricsConfig(full))],
  })
  class MetricsAlone {}
  const app = await bootstrapHttpApp(MetricsAlone, loadRuntimeConfig(full), false);
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, base: `http://127.0.0.1:${port}/api/v1/sites/${site.id}` };
}
