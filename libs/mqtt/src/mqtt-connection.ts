import mqtt, { IClientOptions, MqttClient } from 'mqtt';

export interface MqttConnectionOptions {
  url: string;
  clientId: string;
  /** 5 for Mosquitto (message expiry, shared subscriptions); 4 for the embedded aedes broker. */
  protocolVersion: 4 | 5;
  will?: { topic: string; payload: string; retain: boolean; qos: 0 | 1 };
  clean?: boolean;
  /** MQTT 5 only: how long the broker keeps a session without its client, seconds. */
  sessionExpiryS?: number;
  /** MQTT 5 only: how many unacknowledged QoS 1 messages the broker may send this client at once. */
  receiveMaximum?: number;
  /** The identity and TLS material the broker asks for (`brokerIdentity`). */
  identity?: BrokerIdentity;
}

/** Who connects: a user name and password, and for mqtts:// the CA to trust and an optional client certificate. */
export interface BrokerIdentity {
  username?: string;
  password?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
}

/**
 * Connects and resolves once the broker accepted the session; rejects with the broker's reason
 * otherwise. `beforeConnect` attaches listeners before the first packet can arrive: a resumed
 * persistent session delivers its queued messages right after CONNACK.
 */
export function connectMqtt(
  options: MqttConnectionOptions,
  beforeConnect?: (client: MqttClient) => void,
): Promise<MqttClient> {
  const clientOptions: IClientOptions = {
    clientId: options.clientId,
    protocolVersion: options.protocolVersion,
    clean: options.clean ?? true,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    username: options.identity?.username,
    password: options.identity?.password,
    ca: options.identity?.ca,
    cert: options.identity?.cert,
    key: options.identity?.key,
    will: options.will ? { ...options.will, payload: Buffer.from(options.will.payload) } : undefined,
    properties:
      options.protocolVersion === 5
        ? { sessionExpiryInterval: options.sessionExpiryS, receiveMaximum: options.receiveMaximum }
        : undefined,
  };
  return new Promise((resolve, reject) => {
    const client = mqtt.connect(options.url, { ...clientOptions, manualConnect: true });
    const onError = (error: Error) => {
      client.removeListener('connect', onConnect);
      client.end(true);
      reject(new Error(`MQTT ${options.url}: ${error.message}`));
    };
    const onConnect = () => {
      client.removeListener('error', onError);
      resolve(client);
    };
    client.once('connect', onConnect);
    client.once('error', onError);
    beforeConnect?.(client);
    client.connect();
  });
}
