import { INestApplication, LogLevel, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { RuntimeConfig } from './config';

const LEVELS: Record<RuntimeConfig['ILOT_LOG_LEVEL'], LogLevel[]> = {
  error: ['fatal', 'error'],
  warn: ['fatal', 'error', 'warn'],
  log: ['fatal', 'error', 'warn', 'log'],
  debug: ['fatal', 'error', 'warn', 'log', 'debug'],
};

/** Creates the Nest application of a root module and serves HTTP on ILOT_HTTP_PORT. */
export async function bootstrapHttpApp(rootModule: Type<unknown> | ReturnType<typeof Object>, config: RuntimeConfig): Promise<INestApplication> {
  const app = await NestFactory.create(rootModule, { logger: LEVELS[config.ILOT_LOG_LEVEL], abortOnError: false });
  app.enableShutdownHooks();
  await app.listen(config.ILOT_HTTP_PORT, '0.0.0.0');
  return app;
}
