import { Logger } from '@nestjs/common';
import { brokerIdentity, connectMqtt, MqttConnectionOptions } from '@ilot/mqtt';
import type { MqttClient } from 'mqtt';
import { brokerIdentitySources, RuntimeConfig } from './config';
import { ReadinessRegistry } from './readiness.registry';

/**
 * Each app holds its own MQTT session, registered with /readyz: by default a clean one with a client id of its own;
 * ingestion asks for a persistent one (fixed id, clean off, session expiry). With ILOT_MQTT_CREDENTIALS_DIR the app
 * connects as `ilot-{appName}`.
 */
export async function createAppMqttClient(
  config: RuntimeConfig,
  readiness: ReadinessRegistry,
  appName: string,
  session: Partial<Pick<MqttConnectionOptions, 'clientId' | 'clean' | 'sessionExpiryS' | 'receiveMaximum'>> = {},
  beforeConnect?: (client: MqttClient) => void,
): Promise<MqttClient> {
  const client = await connectMqtt(
    {
      url: config.ILOT_MQTT_URL,
      clientId: session.clientId ?? `ilot-${appName}-${process.pid}`,
      protocolVersion: config.ILOT_MQTT_PROTOCOL_VERSION,
      clean: session.clean ?? true,
      sessionExpiryS: session.sessionExpiryS,
      receiveMaximum: session.receiveMaximum,
      // Each app its own identity on the broker, with only the rights its job needs (libs/protocol mqtt-access).
      identity: brokerIdentity(brokerIdentitySources(config), `ilot-${appName}`),
    },
    beforeConnect,
  );
  const logger = new Logger(`mqtt:${appName}`);
  // Once the app ends its session (shutdown), a write still in flight fails by design: not an operator's concern.
  client.on('error', (error) => client.disconnecting || logger.warn(`broker error: ${error.message}`));
  client.on('offline', () => client.disconnecting || logger.warn('broker unreachable, reconnecting'));
  readiness.register(`mqtt:${appName}`, () => client.connected);
  return client;
}
