export * from './config';
export * from './clock.factory';
export * from './tokens';
export * from './readiness.registry';
export * from './runtime.module';
export * from './app-mqtt-client';
export * from './bootstrap';
export * from './providers';
