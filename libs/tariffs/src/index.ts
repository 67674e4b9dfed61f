export * from './tariff';
export * from './capacity';
