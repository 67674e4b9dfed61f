import { DynamicModule, Module, Provider, Type } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { RuntimeConfig } from './config';
import { loadRuntimeConfig } from './config';
import { bootstrapHttpApp } from './bootstrap';
import { RuntimeModule } from './runtime.module';
import { EffacementReferences, ReadingRepository, SignalRepository } from '@ilot/timeseries';
import type { Site } from '@ilot/site';
import { DATA_SOURCE, SITE } from './tokens';

/** A repository of libs/timeseries (constructed from the shared DataSource) as a Nest provider. */
export function repositoryProvider<T>(repository: new (db: DataSource) => T): Provider {
  return { provide: repository, useFactory: (db: DataSource) => new repository(db), inject: [DATA_SOURCE] };
}

/** The effacement references of the site (planner and report), over the readings and signals repositories (which must be provided too). */
export const effacementReferencesProvider: Provider = {
  provide: EffacementReferences,
  useFactory: (site: Site, readings: ReadingRepository, signals: SignalRepository) =>
    new EffacementReferences(site, readings, signals),
  inject: [SITE, ReadingRepository, SignalRepository],
};

/**
 * `npm run start:<app>`: one app alone on its own HTTP port, against ILOT_MQTT_URL and
 * ILOT_DATABASE_URL. A configuration error stops it with every problem listed.
 */
export function runApp(name: string, appModule: (runtime: RuntimeConfig) => DynamicModule): void {
  const start = async () => {
    const runtime = loadRuntimeConfig();
    @Module({ imports: [RuntimeModule.forRoot(runtime), appModule(runtime)] })
    class AppRootModule {}
    await bootstrapHttpApp(AppRootModule as Type<unknown>, runtime);
  };
  start().catch((error: Error) => {
    console.error(`${name}: ${error.message}`);
    process.exit(1);
  });
}
