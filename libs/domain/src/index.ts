export * from './sign-convention';
export * from './clock';
export * from './time';
export * from './device-kind';
export * from './reading';
export * from './battery-physics';
export * from './energy-kpis';
