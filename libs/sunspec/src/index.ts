export * from './sunspec-model';
export * from './sunspec-map';
export * from './sunspec-commands';
export * from './models';
export * from './register-map';
