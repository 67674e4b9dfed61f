import { INestApplication, LogLevel, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { RuntimeConfig } from './config';

const LEVELS: Record<RuntimeConfig['ILOT_LOG_LEVEL'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
};

/**
 * Creates the Nest application of a root module and serves HTTP on ILOT_HTTP_PORT. With
 * `handleSignals` Nest closes the app on SIGINT/SIGTERM; a launcher that orders its own shutdown
 * (simulators, then apps, then embedded services) passes false.
 */
export async function bootstrapHttpApp(rootModule: Type<unknown>, config: RuntimeConfig, handleSignals = true): Promise<INestApplication> {
  const app = await NestFactory.create(rootModule, { logger: LEVELS[config.ILOT_LOG_LEVEL], abortOnError: false });
  if (handleSignals) app.enableShutdownHooks();
  await app.listen(config.ILOT_HTTP_PORT, '0.0.0.0');
  return app;
}
