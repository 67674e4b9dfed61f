import { INestApplication, LogLevel, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { RuntimeConfig } from './config';
import { apiRateLimit, jsonBodiesOnly, securityHeaders } from './http-hardening';
import { IlotLogger } from './ilot-logger';

const LEVELS: Record<RuntimeConfig['ILOT_LOG_LEVEL'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
};

/**
 * Creates the Nest application of a root module and serves HTTP on ILOT_HTTP_HOST:ILOT_HTTP_PORT, every answer with the
 * security headers, JSON bodies only. With
 * `handleSignals` Nest closes the app on SIGINT/SIGTERM; a launcher that orders its own shutdown
 * (simulators, then apps, then embedded services) passes false.
 */
export async function bootstrapHttpApp(
  rootModule: Type<unknown>,
  config: RuntimeConfig,
  handleSignals = true,
  /** More routes before it listens (the metrics app's OpenAPI document). */
  configure?: (app: INestApplication) => void,
): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(rootModule, {
    logger: new IlotLogger(config.ILOT_LOG_FORMAT, LEVELS[config.ILOT_LOG_LEVEL]),
    abortOnError: false,
    // JSON bodies only (below); Nest would also parse form-encoded ones.
    bodyParser: false,
  });
  app.disable('x-powered-by');
  app.set('trust proxy', config.ILOT_HTTP_TRUST_PROXY);
  app.use(securityHeaders);
  if (config.ILOT_HTTP_RATE_PER_MIN > 0) app.use(apiRateLimit(config.ILOT_HTTP_RATE_PER_MIN));
  app.use(jsonBodiesOnly);
  // No body parser: a route reads its JSON body after its guards (`@JsonBody()`, json-body.ts).
  configure?.(app);
  if (handleSignals) app.enableShutdownHooks();
  await app.listen(config.ILOT_HTTP_PORT, config.ILOT_HTTP_HOST);
  return app;
}
