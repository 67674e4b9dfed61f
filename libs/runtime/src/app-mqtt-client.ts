import { Logger } from '@nestjs/common';
import { brokerIdentity, connectMqtt, MqttConnectionOptions } from '@ilot/mqtt';
import { clientIdRule, identityOf, ownedClientId, ownsClientId } from '@ilot/protocol';
import type { MqttClient } from 'mqtt';
import { randomBytes } from 'node:crypto';
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
  const username = `ilot-${appName}`;
  const identity = brokerIdentity(brokerIdentitySources(config), username);
  // Its own and unguessable by default (issue 26: `ilot-optimiser-<pid>`, the pid in every log line, was taken by a
  // device's credential); a fixed one (ingestion's persistent session) must be the identity's own.
  const owner = identityOf(username);
  const suffix = randomBytes(8).toString('hex');
  const clientId = session.clientId ?? (owner ? ownedClientId(owner, suffix) : `${username}.${suffix}`);
  if (identity.username && owner && !ownsClientId(owner, clientId))
    throw new Error(`MQTT client id "${clientId}": ${clientIdRule(owner)} (the broker refuses any other)`);
  const client = await connectMqtt(
    {
      url: config.ILOT_MQTT_URL,
      clientId,
      protocolVersion: config.ILOT_MQTT_PROTOCOL_VERSION,
      clean: session.clean ?? true,
      sessionExpiryS: session.sessionExpiryS,
      receiveMaximum: session.receiveMaximum,
      // Each app its own identity on the broker, with only the rights its job needs (libs/protocol mqtt-access).
      identity,
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
