export * from './mqtt-connection';
export * from './deferred-pubacks';
export * from './resend-unmatched';
