export * from './tariff';
export * from './capacity';
export * from './tempo-calendar';
