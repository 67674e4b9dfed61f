export * from './reference-curve';
