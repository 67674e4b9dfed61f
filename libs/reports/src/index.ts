export * from './resident-report';
export * from './resident-report.html';
export * from './resident-page-script';
export * from './resident-calendar';
export * from './open-data';
export * from './commodity-lines';
export * from './resident-live';
export * from './resident-live.html';
