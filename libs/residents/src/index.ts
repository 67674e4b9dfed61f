export * from './access-tokens';
export * from './resident-database';
export * from './resident-ledger.service';
export * from './resident-report.service';
export * from './effacement-report.service';
export * from './open-data.service';
export * from './commodity-ledger';
