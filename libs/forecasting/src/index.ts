export * from './solar-geometry';
export * from './consumption-forecast';
export * from './pv-forecast';
export * from './forecast-quantiles';
export * from './external-pv';
export * from './issued-pv-forecasts';
export * from './pv-calibration';
export * from './providers';
