export * from './mqtt-connection';
export * from './deferred-pubacks';
