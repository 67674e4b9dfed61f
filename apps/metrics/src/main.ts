import 'reflect-metadata';
import { runApp } from '@ilot/runtime';
import { loadMetricsConfig } from './metrics.config';
import { MetricsModule } from './metrics.module';

runApp('metrics', () => MetricsModule.forRoot(loadMetricsConfig()));
