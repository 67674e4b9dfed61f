export * from './topics';
export * from './payloads.schema';
export * from './mqtt-connection';
export * from './deferred-pubacks';
