import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { Client } from 'pg';
import { createTestDatabase, TestDatabase } from '@ilot/timeseries/testing/test-database';
import { IngesterProcess } from './support/app-process';
import { clearRetained, TEST_MQTT_URL, testPort, waitFor } from './support/services';

/** A copy of a shipped site under a new id, in `dir`. */
function siteIn(dir: string, shipped: string, id: string): void {
  const text = readFileSync(join(process.cwd(), 'sites', shipped), 'utf8').replace(/^id: .*$/m, `id: ${id}`);
  writeFileSync(join(dir, `${id}.yaml`), text);
}

/**
 * Many îlots in one deployment (issue 14): two ingestion instances share one subscription over every site of
 * ILOT_SITES_DIR on the real Mosquitto (MQTT 5 `$share`), each message checked against its own site, stored in the
 * real PostgreSQL; a site added to the folder is taken without a restart, a topic of a site not served is refused.
 */
describe('ingestion over every site of a folder, shared by two instances', () => {
  const tag = randomBytes(3).toString('hex');
  const [demo, homes, later] = [`many-demo-${tag}`, `many-homes-${tag}`, `many-later-${tag}`];
  const dir = mkdtempSync(join(tmpdir(), 'ilot-sites-'));
  let database: TestDatabase;
  let db: Client;
  let publisher: mqtt.MqttClient;
  const ingesters: IngesterProcess[] = [];
  const rows = async (siteId: string) =>
    Number((await db.query('SELECT count(*) FROM readings WHERE site_id = $1', [siteId])).rows[0].count);

  beforeAll(async () => {
    siteIn(dir, 'demo.yaml', demo);
    siteIn(dir, 'konstanz-pair.yaml', homes);
    copyFileSync(join(process.cwd(), 'sites', 'template.yaml'), join(dir, 'zz-not-a-site.yml'));
    writeFileSync(join(dir, 'zz-broken.yaml'), 'id: broken\n');
    database = await createTestDatabase('ilot_many');
    for (const n of [1, 2]) {
      const ingester = new IngesterProcess({
        ILOT_MQTT_URL: TEST_MQTT_URL,
        ILOT_DATABASE_URL: database.url,
        ILOT_SITES_DIR: dir,
        ILOT_SITES_POLL_S: '1',
        ILOT_HTTP_PORT: String(testPort()),
        ILOT_INGEST_CLIENT_ID: `many-${tag}-${n}`,
        ILOT_INGEST_SHARE_GROUP: `many-${tag}`,
        // The session ends with the test: a subscription over every site must not queue the next tests' messages.
        ILOT_INGEST_SESSION_EXPIRY_S: '0',
      });
      await ingester.start();
      ingesters.push(ingester);
    }
    db = new Client({ connectionString: database.url });
    await db.connect();
    publisher = await mqtt.connectAsync(TEST_MQTT_URL, { protocolVersion: 5 });
  }, 90_000);

  afterAll(async () => {
    await publisher?.endAsync();
    await db?.end();
    for (const ingester of ingesters) await ingester.stop();
    for (const siteId of [demo, homes, later]) await clearRetained(TEST_MQTT_URL, siteId);
    await database?.drop();
  }, 60_000);

  const publish = (siteId: string, device: string, count: number, baseMs: number) =>
    Promise.all(
      Array.from({ length: count }, (_, k) =>
        publisher.publishAsync(
          `ilot/v1/${siteId}/${device}/telemetry`,
          JSON.stringify({ ts: new Date(baseMs + k * 1000).toISOString(), seq: k, powerW: 400 + k }),
          { qos: 1 },
        ),
      ),
    );

  it('stores every reading of both sites once, split between the instances, and refuses a site not served', async () => {
    const baseMs = Date.now() - 3_600_000;
    await Promise.all([publish(demo, 'm-a-101', 600, baseMs), publish(homes, 'm-home-3', 600, baseMs)]);
    await publish(`nowhere-${tag}`, 'm-a-101', 5, baseMs);
    await waitFor('1200 readings stored', async () => (await rows(demo)) + (await rows(homes)) >= 1200, 30_000);
    expect([await rows(demo), await rows(homes)]).toEqual([600, 600]);
    // Both instances took a share, and each counted its readings under the site they were for.
    const perInstance = await Promise.all(
      ingesters.map(async (i) => [
        await i.metric(`ilot_ingest_readings_total{site="${demo}"}`),
        await i.metric(`ilot_ingest_readings_total{site="${homes}"}`),
      ]),
    );
    expect(perInstance.every(([a, b]) => a + b > 0)).toBe(true);
    expect(perInstance.reduce((sum, [a, b]) => sum + a + b, 0)).toBe(1200);
    // Shared, not copied: no message went to both instances (the second copy would be counted a duplicate).
    const duplicates = await Promise.all(ingesters.map((i) => i.metric('ilot_ingest_duplicates_total')));
    expect(duplicates).toEqual([0, 0]);
    // A meter of the demo is not a device of the homes' site: checked against its own site.
    await publisher.publishAsync(
      `ilot/v1/${homes}/m-a-101/telemetry`,
      JSON.stringify({ ts: new Date(baseMs).toISOString(), powerW: 1 }),
      { qos: 1 },
    );
    // Only this test's refusals: the broker may hold other sites' retained statuses, refused here too (not served).
    const ours = async () =>
      (
        await db.query<{ topic: string; reason: string; detail: string }>(
          `SELECT topic, reason, detail FROM rejected_messages WHERE topic LIKE $1 OR topic LIKE $2 ORDER BY topic`,
          [`ilot/v1/nowhere-${tag}/%`, `ilot/v1/${homes}/%`],
        )
      ).rows;
    await waitFor('the refusals stored', async () => (await ours()).length >= 6, 15_000);
    const refused = await ours();
    expect(refused.filter((r) => r.reason === 'unknown_site')).toHaveLength(5);
    expect(refused.find((r) => r.reason === 'unknown_site')!.detail).toBe(
      `topic: site "nowhere-${tag}" is not served here`,
    );
    expect(refused.find((r) => r.topic.startsWith(`ilot/v1/${homes}/`))!.reason).toBe('unknown_device');
  }, 60_000);

  it('takes a site added to the folder without a restart', async () => {
    siteIn(dir, 'demo.yaml', later);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    await publish(later, 'pv-a', 50, Date.now() - 600_000);
    await waitFor('the new site’s readings', async () => (await rows(later)) >= 50, 20_000);
    expect(await rows(later)).toBe(50);
    for (const ingester of ingesters) ingester.assertRunning();
  }, 40_000);
});
