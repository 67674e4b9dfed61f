import { DynamicModule, INestApplication, Module, Provider, Type } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { RuntimeConfig } from './config';
import { loadRuntimeConfig } from './config';
import { bootstrapHttpApp } from './bootstrap';
import { RuntimeModule } from './runtime.module';
import { DATA_SOURCE } from './tokens';

/** A repository of libs/timeseries (constructed from the shared DataSource) as a Nest provider. */
export function repositoryProvider<T>(repository: new (db: DataSource) => T): Provider {
  return { provide: repository, useFactory: (db: DataSource) => new repository(db), inject: [DATA_SOURCE] };
}

/**
 * `npm run start:<app>`: one app alone on its own HTTP port, against ILOT_MQTT_URL and
 * ILOT_DATABASE_URL. A configuration error stops it with every problem listed.
 */
export function runApp(
  name: string,
  appModule: (runtime: RuntimeConfig) => DynamicModule,
  configure?: (app: INestApplication) => void,
): void {
  const start = async () => {
    const runtime = loadRuntimeConfig();
    @Module({ imports: [RuntimeModule.forRoot(runtime), appModule(runtime)] })
    class AppRootModule {}
    await bootstrapHttpApp(AppRootModule as Type<unknown>, runtime, true, configure);
  };
  start().catch((error: Error) => {
    console.error(`${name}: ${error.message}`);
    process.exit(1);
  });
}
