export * from './resident-report';
export * from './resident-report.html';
