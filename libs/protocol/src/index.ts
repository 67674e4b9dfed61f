export * from './topics';
export * from './instant';
export * from './telemetry';
export * from './command';
export * from './signal';
export * from './decode';
export * from './pv-forecast';
export * from './mqtt-access';
