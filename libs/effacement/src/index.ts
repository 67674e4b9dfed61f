export * from './reference-curve';
export * from './event-report';
