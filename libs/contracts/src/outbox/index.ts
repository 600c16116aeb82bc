export * from './outbox.schemas';
export * from './outbox-rpc';
