import { DataSource } from 'typeorm';
import { openDatabase } from '../data-source';
import type { StorageMode } from '../storage-policy';
import { createTestDatabase } from './test-database';
import { startTimescaleTestServer } from './timescale-database';

/** The two storage paths, for tests that must hold on both: TimescaleDB 2.23 (PGlite) and the plain PostgreSQL server. */
export interface StorageBackend {
  name: string;
  mode: StorageMode;
  open(): Promise<{ db: DataSource; close(): Promise<void> }>;
}

export const STORAGE_BACKENDS: StorageBackend[] = [
  {
    name: 'TimescaleDB 2.23 (PGlite)',
    mode: 'timescaledb',
    async open() {
      const server = await startTimescaleTestServer();
      const db = await openDatabase(server.url, 2);
      return { db, close: async () => (await db.destroy(), await server.stop()) };
    },
  },
  {
    name: 'plain PostgreSQL (rollup tables)',
    mode: 'postgresql',
    async open() {
      const database = await createTestDatabase();
      const db = await openDatabase(database.url);
      return { db, close: async () => (await db.destroy(), await database.drop()) };
    },
  },
];
