import { identityOf, ownedClientId } from '@ilot/protocol';
export { TEST_MQTT_URL, waitFor } from '@ilot/mqtt/testing/broker';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import mqtt from 'mqtt';

/** A copy of the demo site under a unique id, so that tests sharing the broker never see each other's topics. */
export function uniqueDemoSite(prefix = 'e2e'): { path: string; siteId: string } {
  const siteId = `${prefix}-${randomBytes(3).toString('hex')}`;
  const text = readFileSync(join(process.cwd(), 'sites', 'demo.yaml'), 'utf8').replace(/^id: demo$/m, `id: ${siteId}`);
  const path = join(mkdtempSync(join(tmpdir(), 'ilot-site-')), `${siteId}.yaml`);
  writeFileSync(path, text);
  return { path, siteId };
}

/** Removes the retained messages a test left under a site's prefix. */
export async function clearRetained(url: string, siteId: string, protocolVersion: 4 | 5 = 5): Promise<void> {
  const client = await mqtt.connectAsync(url, {
    protocolVersion,
    clientId: `cleanup-${randomBytes(3).toString('hex')}`,
  });
  const retainedTopics = new Set<string>();
  client.on('message', (topic, payload, packet) => {
    if (packet.retain && payload.length > 0) retainedTopics.add(topic);
  });
  await client.subscribeAsync(`ilot/v1/${siteId}/#`, { qos: 1 });
  await new Promise((resolve) => setTimeout(resolve, 300));
  for (const topic of retainedTopics) await client.publishAsync(topic, '', { qos: 1, retain: true });
  await client.endAsync();
}

/**
 * A port for an app or broker a test starts: below Linux's ephemeral range (32768 and up), which the many MQTT
 * connections of simulated devices draw from (regression: a planner's HTTP port taken by a device's connection).
 */
export function testPort(): number {
  return 10_000 + Math.floor(Math.random() * 22_000);
}

/** A client id that is `username`'s own (libs/protocol ownedClientId). */
export function ownedClientIdOf(username: string, suffix: string): string {
  return ownedClientId(identityOf(username)!, suffix);
}
