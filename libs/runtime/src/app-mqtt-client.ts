import { Logger } from '@nestjs/common';
import { connectMqtt } from '@ilot/mqtt';
import type { MqttClient } from 'mqtt';
import type { RuntimeConfig } from './config';
import { ReadinessRegistry } from './readiness.registry';

/** Each app holds its own MQTT session (its own client id), registered with /readyz. */
export async function createAppMqttClient(config: RuntimeConfig, readiness: ReadinessRegistry, appName: string, clean = true): Promise<MqttClient> {
  const client = await connectMqtt({
    url: config.ILOT_MQTT_URL,
    clientId: `ilot-${appName}-${process.pid}`,
    protocolVersion: config.ILOT_MQTT_PROTOCOL_VERSION,
    clean,
  });
  const logger = new Logger(`mqtt:${appName}`);
  client.on('error', (error) => logger.warn(`broker error: ${error.message}`));
  client.on('offline', () => logger.warn('broker unreachable, reconnecting'));
  readiness.register(`mqtt:${appName}`, () => client.connected);
  return client;
}
