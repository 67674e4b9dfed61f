import 'reflect-metadata';
import { INestApplication, Module } from '@nestjs/common';
import { bootstrapHttpApp, loadRuntimeConfig, RuntimeModule } from '@ilot/runtime';
import { ledgerReadings, T0 } from '@ilot/residents/testing/ledger-site';
import type { Site } from '@ilot/site';
import { openDatabase, ReadingRepository } from '@ilot/timeseries';
import type { AddressInfo } from 'node:net';
import { loadMetricsConfig } from '../metrics.config';
import { MetricsModule } from '../metrics.module';
import { serveOpenApi } from '../api/openapi';

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
  const app = await bootstrapHttpApp(MetricsAlone, loadRuntimeConfig(full), false, serveOpenApi);
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, base: `http://127.0.0.1:${port}/api/v1/sites/${site.id}` };
}

/**
 * The metrics app on libs/residents' ledger test day: the site's readings stored, its clock at 12:40Z on that day
 * (T0 + 40 min), the operator's token and the residents' token secret given, the ledger once at start.
 */
export async function startMetricsOnLedgerDay(
  site: Site,
  databaseUrl: string,
  tokens: { operator: string; secret: string },
  extraEnv: Record<string, string> = {},
): Promise<{ app: INestApplication; base: string }> {
  const db = await openDatabase(databaseUrl);
  await new ReadingRepository(db).insertBatch(ledgerReadings(site.id), new Date(T0 + 1_800_000));
  await db.destroy();
  return startMetricsAlone(site, {
    ILOT_DATABASE_URL: databaseUrl,
    ILOT_SIM_START: new Date(T0 + 40 * 60_000).toISOString(),
    ILOT_SIM_START_REAL: new Date().toISOString(),
    ILOT_OPERATOR_TOKEN: tokens.operator,
    ILOT_TOKEN_SECRET: tokens.secret,
    ILOT_LEDGER_INTERVAL_S: '3600',
    ...extraEnv,
  });
}
