export * from './invoice';
export * from './invoice-energy';
export * from './money';
export * from './facturx';
export * from './invoice-pdf';
export * from './facturx-pdf';
export * from './statements';
