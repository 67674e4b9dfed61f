export * from './acc-month.service';
export * from './acc-points';
export * from './data-connect.client';
export * from './facturx-validator';
export * from './acc-invoicing.service';
export * from './billed-steps';
