export * from './data-source';
export * from './entities';
export * from './migrations';
export * from './reading.repository';
export * from './rejected-message.repository';
export * from './device-status.repository';
export * from './plan.repository';
export * from './command.repository';
