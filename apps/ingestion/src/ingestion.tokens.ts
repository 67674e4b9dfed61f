export const INGESTION_CONFIG = Symbol('INGESTION_CONFIG');
export const INGESTION_MQTT = Symbol('INGESTION_MQTT');
