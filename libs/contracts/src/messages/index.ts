export * from './message-rpc';
export * from './message.schemas';
