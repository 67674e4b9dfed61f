export * from './local-time';
export * from './tariff';
