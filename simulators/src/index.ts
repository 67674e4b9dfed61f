export * from './profile-table';
export * from './battery-controller';
export * from './ilot-world';
export * from './simulator-runner';
export * from './simulators.config';
export * from './repo-path';
export * from './closed-loop';
