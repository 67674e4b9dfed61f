import 'reflect-metadata';
import { INestApplication, Module } from '@nestjs/common';
import type { Clock } from '@ilot/domain';
import { bootstrapHttpApp, CLOCK, loadRuntimeConfig, RuntimeModule } from '@ilot/runtime';
import { SiteScopes } from '@ilot/residents';
import { ledgerReadings, T0 } from '@ilot/residents/testing/ledger-site';
import type { Site } from '@ilot/site';
import { openDatabase, ReadingRepository } from '@ilot/timeseries';
import type { AddressInfo } from 'node:net';
import { loadApiConfig } from '../api.config';
import { ApiAppModule } from '../api-app.module';
import { serveOpenApi } from '../http/openapi';

/** The API app alone (no broker), on a database, for one site: its base URL for the site. */
export async function startApiAlone(
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
    imports: [RuntimeModule.forRoot(loadRuntimeConfig(full), site), ApiAppModule.forRoot(loadApiConfig(full))],
  })
  class ApiAlone {}
  const app = await bootstrapHttpApp(ApiAlone, loadRuntimeConfig(full), false, serveOpenApi);
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, base: `http://127.0.0.1:${port}/api/v1/sites/${site.id}` };
}

/**
 * The API app on libs/residents' ledger test day: the site's readings stored, its clock at 12:40Z on that day
 * (T0 + 40 min), the operator's token and the residents' token secret given, and the residents' ledger brought up to
 * that clock once (what the metrics app's ledger job does at start).
 */
export async function startApiOnLedgerDay(
  site: Site,
  databaseUrl: string,
  tokens: { operator: string; secret: string },
  extraEnv: Record<string, string> = {},
): Promise<{ app: INestApplication; base: string }> {
  const db = await openDatabase(databaseUrl);
  await new ReadingRepository(db).insertBatch(ledgerReadings(site.id), new Date(T0 + 1_800_000));
  await db.destroy();
  const started = await startApiAlone(site, {
    ILOT_DATABASE_URL: databaseUrl,
    ILOT_SIM_START: new Date(T0 + 40 * 60_000).toISOString(),
    ILOT_SIM_START_REAL: new Date().toISOString(),
    ILOT_OPERATOR_TOKEN: tokens.operator,
    ILOT_TOKEN_SECRET: tokens.secret,
    ...extraEnv,
  });
  const written = await started.app.get(SiteScopes).of(site.id).ledger.catchUp(started.app.get<Clock>(CLOCK).now());
  if (written === 'busy') throw new Error(`${site.id}: the ledger is being written by another process`);
  return started;
}
