export * from './resident-report';
