export * from './allocation';
export * from './custom-shares';
