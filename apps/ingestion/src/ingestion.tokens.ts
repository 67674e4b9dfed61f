export const INGESTION_CONFIG = Symbol('INGESTION_CONFIG');
export const INGESTION_MQTT = Symbol('INGESTION_MQTT');
export const INBOUND_REJECTS = Symbol('INBOUND_REJECTS');
/** The instance's spool (issue 30 §3), or null when ILOT_INGEST_SPOOL_MAX_MB is 0. */
export const INGEST_SPOOL = Symbol('INGEST_SPOOL');

/** Opens the ingester's MQTT session, calling `beforeConnect` before any packet can arrive. */
export type IngestionMqttConnect = (
  beforeConnect: (client: import('mqtt').MqttClient) => void,
) => Promise<import('mqtt').MqttClient>;
