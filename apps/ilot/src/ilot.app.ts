import 'reflect-metadata';
import { INestApplication, Module } from '@nestjs/common';
import { IngestionModule } from '../../ingestion/src/ingestion.module';
import { loadIngestionConfig } from '../../ingestion/src/ingestion.config';
import { MetricsModule } from '../../metrics/src/metrics.module';
import { loadMetricsConfig } from '../../metrics/src/metrics.config';
import { ApiAppModule } from '../../api/src/api-app.module';
import { loadApiConfig } from '../../api/src/api.config';
import { OptimiserModule } from '../../optimiser/src/optimiser.module';
import { loadOptimiserConfig } from '../../optimiser/src/optimiser.config';
import { PlanningLoopService } from '../../optimiser/src/planning-loop.service';
import { brokerIdentity } from '@ilot/mqtt';
import { serveOpenApi } from '../../api/src/http/openapi';
import {
  bootstrapHttpApp,
  brokerIdentitySources,
  CLOCK,
  loadConfig,
  loadRuntimeConfig,
  RuntimeModule,
  SiteCatalog,
} from '@ilot/runtime';
import type { Clock } from '@ilot/domain';
import { loadSiteFile, Site } from '@ilot/site';
import { SimulatorRunner, simulatorsEnvSchema, startSimulatorRunners, telemetryPeriodSimMs } from '@ilot/simulators';
import type { AddressInfo } from 'node:net';

export interface RunningIlot {
  app: INestApplication;
  site: Site;
  httpPort: number;
  /** The simulated devices of the one site (ILOT_SITE_FILE). */
  simulators?: SimulatorRunner;
  /** Many îlots (ILOT_SITES_DIR): the simulated devices of every site of the folder, one runner each. */
  fleet: SimulatorRunner[];
  planningLoop: PlanningLoopService;
  /** The apps' clock: îlot time (scaled with ILOT_SPEEDUP). */
  clock: Clock;
  stop(): Promise<void>;
}

/**
 * The whole îlot in one process: ingestion, optimiser, metrics and the API share one HTTP port, one
 * database pool and one clock; each keeps its own MQTT session. The simulators run beside them
 * unless `simulators` is false. Needs ILOT_MQTT_URL and ILOT_DATABASE_URL in `env`.
 */
export async function startIlot(
  env: NodeJS.ProcessEnv,
  options: { simulators: boolean } = { simulators: true },
): Promise<RunningIlot> {
  const runtime = loadRuntimeConfig(env);
  const ingestion = loadIngestionConfig(env);
  const optimiser = loadOptimiserConfig(env);
  const metrics = loadMetricsConfig(env);
  const api = loadApiConfig(env);
  const simulatorsConfig = loadConfig(simulatorsEnvSchema, env);

  // The site is read and validated once, here, for the apps and the simulators alike.
  const site = loadSiteFile(runtime.ILOT_SITE_FILE);
  @Module({
    imports: [
      RuntimeModule.forRoot(runtime, site),
      IngestionModule.forRoot(ingestion),
      OptimiserModule.forRoot(optimiser),
      MetricsModule.forRoot(metrics),
      ApiAppModule.forRoot(api),
    ],
  })
  class IlotModule {}

  const app = await bootstrapHttpApp(IlotModule, runtime, false, serveOpenApi);
  const httpPort = (app.getHttpServer().address() as AddressInfo).port;
  const clock = app.get<Clock>(CLOCK); // the apps' own clock: one "now" for all
  const simulated = runtime.ILOT_SITES_DIR
    ? app
        .get(SiteCatalog)
        .sites()
        .map((entry) => entry.site)
    : [site];
  const runners = options.simulators
    ? await startSimulatorRunners(
        simulated,
        clock,
        {
          mqttUrl: simulatorsConfig.ILOT_SIM_MQTT_URL ?? runtime.ILOT_MQTT_URL,
          protocolVersion: runtime.ILOT_MQTT_PROTOCOL_VERSION,
          periodSimMs: telemetryPeriodSimMs(simulatorsConfig, clock.speedup),
          identity: (username) => brokerIdentity(brokerIdentitySources(runtime), username),
          skipDevices: simulatorsConfig.ILOT_SIM_SKIP_DEVICES,
        },
        simulatorsConfig.ILOT_SIM_INITIAL_SOC_PCT,
      )
    : [];
  const simulators = runtime.ILOT_SITES_DIR ? undefined : runners[0];
  return {
    app,
    site,
    httpPort,
    simulators,
    fleet: runtime.ILOT_SITES_DIR ? runners : [],
    planningLoop: app.get(PlanningLoopService),
    clock,
    async stop() {
      for (const runner of runners) await runner.stop();
      await app.close();
    },
  };
}
