export * from './resident-report';
export * from './resident-report.html';
export * from './resident-page-script';
