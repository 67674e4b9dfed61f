import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { bootstrapHttpApp, loadRuntimeConfig, RuntimeModule } from '@ilot/runtime';
import { loadIngestionConfig } from './ingestion.config';
import { IngestionModule } from './ingestion.module';

/** `npm run start:ingestion`: the ingestion app alone, against ILOT_MQTT_URL and ILOT_DATABASE_URL. */
async function main(): Promise<void> {
  const runtime = loadRuntimeConfig();
  const config = loadIngestionConfig();
  @Module({ imports: [RuntimeModule.forRoot(runtime), IngestionModule.forRoot(config)] })
  class IngestionAppModule {}
  await bootstrapHttpApp(IngestionAppModule, runtime);
}

main().catch((error: Error) => {
  console.error(`ingestion: ${error.message}`);
  process.exit(1);
});
