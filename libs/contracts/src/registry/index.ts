export * from './registry-rpc';
export * from './field.schemas';
export * from './user.schema';
export * from './group.schema';
export * from './account.schema';
export * from './connection-test.types';
export * from './sync-status.schema';
