import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IngesterProcess } from './app-process';
import { MosquittoProcess } from './mosquitto-process';
import { testPort, uniqueDemoSite } from './services';

export interface IngesterFixture {
  siteId: string;
  database: TestDatabase;
  ingester: IngesterProcess;
  /** The fixture's own broker, configured as deploy/mosquitto configures production (its queues make no-loss hold). */
  broker: MosquittoProcess;
  /** Stops the ingester and the broker, drops the database. */
  tearDown(): Promise<void>;
}

/**
 * A fresh database, a copy of the demo site under a unique id, a Mosquitto of its own with the production settings
 * (deploy/mosquitto/conf.d: persistence, queues bounded by bytes, not by Mosquitto's default 1000 messages) and the
 * built ingester running on them, with a persistent session of its own. Its own broker, so that what a fault test
 * proves holds on any machine, whatever broker runs on 1883 (issue 25: on a stock Mosquitto the ingester killed
 * mid-burst lost 38 384 of 100 000 readings, dropped by the broker's default queue of 1000).
 */
export async function startIngesterFixture(
  prefix: string,
  /** `stockBroker`: Mosquitto as Debian ships it (persistence, and its default queue of 1000 messages per session). */
  options: { databaseServerUrl?: string; stockBroker?: boolean; env?: Record<string, string> } = {},
): Promise<IngesterFixture> {
  const { path: siteFile, siteId } = uniqueDemoSite(prefix);
  const broker = options.stockBroker ? new MosquittoProcess({ config: stockMosquittoConfig }) : new MosquittoProcess();
  const spoolDir = mkdtempSync(join(tmpdir(), 'ilot-spool-'));
  await broker.start();
  const database = await createTestDatabase(`ilot_${prefix}`, options.databaseServerUrl);
  const ingester = new IngesterProcess({
    ILOT_MQTT_URL: broker.url,
    ILOT_DATABASE_URL: database.url,
    ILOT_SITE_FILE: siteFile,
    ILOT_HTTP_PORT: String(testPort()),
    ILOT_INGEST_CLIENT_ID: `${prefix}-${siteId}`,
    ILOT_INGEST_SPOOL_DIR: spoolDir,
    ...options.env,
  });
  await ingester.start();
  return {
    siteId,
    database,
    ingester,
    broker,
    async tearDown() {
      await ingester.stop();
      await broker.stop();
      await database.drop();
      rmSync(spoolDir, { recursive: true, force: true });
    },
  };
}

/** Debian's /etc/mosquitto/mosquitto.conf, on the test's port and folder: persistence, and every queue at its default. */
export const stockMosquittoConfig = ({ port, stateDir }: { port: number; stateDir: string }): string[] => [
  'persistence true',
  `persistence_location ${stateDir}/`,
  'log_dest stderr',
  `listener ${port} 127.0.0.1`,
  'allow_anonymous true',
];
