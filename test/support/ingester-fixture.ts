import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { IngesterProcess } from './app-process';
import { clearRetained, TEST_MQTT_URL, testPort, uniqueDemoSite } from './services';

export interface IngesterFixture {
  siteId: string;
  database: TestDatabase;
  ingester: IngesterProcess;
  /** Stops the ingester, clears the site's retained messages, drops the database. */
  tearDown(): Promise<void>;
}

/**
 * A fresh database, a copy of the demo site under a unique id and the built ingester running on
 * them against the test broker, with a persistent session of its own.
 */
export async function startIngesterFixture(prefix: string): Promise<IngesterFixture> {
  const { path: siteFile, siteId } = uniqueDemoSite(prefix);
  const database = await createTestDatabase(`ilot_${prefix}`);
  const ingester = new IngesterProcess({
    ILOT_MQTT_URL: TEST_MQTT_URL,
    ILOT_DATABASE_URL: database.url,
    ILOT_SITE_FILE: siteFile,
    ILOT_HTTP_PORT: String(testPort()),
    ILOT_INGEST_CLIENT_ID: `${prefix}-${siteId}`,
  });
  await ingester.start();
  return {
    siteId,
    database,
    ingester,
    async tearDown() {
      await ingester.stop();
      await clearRetained(TEST_MQTT_URL, siteId);
      await database.drop();
    },
  };
}
