export * from './mqtt-connection';
export * from './deferred-pubacks';
export * from './resend-unmatched';
export * from './mosquitto-password';
export * from './broker-credentials';
export * from './client-certificates';
export * from './broker-identity';
export * from './secret-file';
