import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { bootstrapHttpApp, loadRuntimeConfig, RuntimeModule } from '@ilot/runtime';
import { loadMetricsConfig } from './metrics.config';
import { MetricsModule } from './metrics.module';

/** `npm run start:metrics`: /metrics and the API alone, against ILOT_DATABASE_URL. */
async function main(): Promise<void> {
  const runtime = loadRuntimeConfig();
  const config = loadMetricsConfig();
  @Module({ imports: [RuntimeModule.forRoot(runtime), MetricsModule.forRoot(config)] })
  class MetricsAppModule {}
  await bootstrapHttpApp(MetricsAppModule, runtime);
}

main().catch((error: Error) => {
  console.error(`metrics: ${error.message}`);
  process.exit(1);
});
