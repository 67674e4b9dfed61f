export * from './acc-month.service';
export * from './acc-points';
