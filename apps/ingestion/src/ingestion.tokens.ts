export const INGESTION_CONFIG = Symbol('INGESTION_CONFIG');
export const INGESTION_MQTT = Symbol('INGESTION_MQTT');
export const INBOUND_REJECTS = Symbol('INBOUND_REJECTS');

/** Opens the ingester's MQTT session, calling `beforeConnect` before any packet can arrive. */
export type IngestionMqttConnect = (
  beforeConnect: (client: import('mqtt').MqttClient) => void,
) => Promise<import('mqtt').MqttClient>;
