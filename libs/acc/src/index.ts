export * from './acc-allocation';
export * from './csv-text';
export * from './distributor-file';
export * from './distributor-month';
export * from './key-file';
export * from './reconcile';
export * from './month-key';
export * from './data-connect';
