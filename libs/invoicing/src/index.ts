export * from './invoice';
export * from './invoice-energy';
export * from './money';
export * from './facturx';
