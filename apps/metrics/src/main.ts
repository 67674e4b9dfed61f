import 'reflect-metadata';
import { runApp } from '@ilot/runtime';
import { loadMetricsConfig } from './metrics.config';
import { MetricsModule } from './metrics.module';
import { serveOpenApi } from './api/openapi';

runApp('metrics', () => MetricsModule.forRoot(loadMetricsConfig()), serveOpenApi);
