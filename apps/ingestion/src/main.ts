import 'reflect-metadata';
import { runApp } from '@ilot/runtime';
import { loadIngestionConfig } from './ingestion.config';
import { IngestionModule } from './ingestion.module';

runApp('ingestion', () => IngestionModule.forRoot(loadIngestionConfig()));
