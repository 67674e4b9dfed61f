export * from './provider-types';
export * from './open-meteo';
export * from './http-json';
export * from './forecast-solar';
export * from './solcast';
