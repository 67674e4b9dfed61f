export * from './tic';
