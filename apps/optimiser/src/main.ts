import 'reflect-metadata';
import { runApp } from '@ilot/runtime';
import { loadOptimiserConfig } from './optimiser.config';
import { OptimiserModule } from './optimiser.module';

runApp('optimiser', () => OptimiserModule.forRoot(loadOptimiserConfig()));
