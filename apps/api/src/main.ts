import 'reflect-metadata';
import { runApp } from '@ilot/runtime';
import { loadApiConfig } from './api.config';
import { ApiAppModule } from './api-app.module';
import { serveOpenApi } from './http/openapi';

runApp('api', () => ApiAppModule.forRoot(loadApiConfig()), serveOpenApi);
