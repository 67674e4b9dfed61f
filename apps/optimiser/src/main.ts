import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { bootstrapHttpApp, loadRuntimeConfig, RuntimeModule } from '@ilot/runtime';
import { loadOptimiserConfig } from './optimiser.config';
import { OptimiserModule } from './optimiser.module';

/** `npm run start:optimiser`: the planning loop alone, against ILOT_MQTT_URL and ILOT_DATABASE_URL. */
async function main(): Promise<void> {
  const runtime = loadRuntimeConfig();
  const config = loadOptimiserConfig();
  @Module({ imports: [RuntimeModule.forRoot(runtime), OptimiserModule.forRoot(config)] })
  class OptimiserAppModule {}
  await bootstrapHttpApp(OptimiserAppModule, runtime);
}

main().catch((error: Error) => {
  console.error(`optimiser: ${error.message}`);
  process.exit(1);
});
