export * from './event-definition';
export * from './streams';
export * from './rpc';
export * from './events';
export * from './event-codec';
export * from './fetch-key.util';
export * from './subject-filter.util';
// Generated from proto/mailbus/v1 by `node tools/proto.mjs generate`: schemas (`*Schema`), message
// types, enums and file descriptors (`file_mailbus_v1_*`).
export * from './gen/mailbus/v1/account_changed_pb';
export * from './gen/mailbus/v1/account_sync_failed_pb';
export * from './gen/mailbus/v1/email_address_pb';
export * from './gen/mailbus/v1/mailbox_pb';
export * from './gen/mailbus/v1/message_deleted_pb';
export * from './gen/mailbus/v1/message_delivered_pb';
export * from './gen/mailbus/v1/message_fetched_pb';
export * from './gen/mailbus/v1/message_sent_pb';
export * from './gen/mailbus/v1/send_failed_pb';
export * from './gen/mailbus/v1/send_requested_pb';
export * from './gen/mailbus/v1/smtp_pb';
export * from './gen/mailbus/v1/spam_marked_pb';
export * from './gen/mailbus/v1/spam_moved_pb';
// Event times are google.protobuf.Timestamp; these convert them without another import.
export { timestampDate, timestampFromDate, timestampFromMs, timestampMs, type Timestamp } from '@bufbuild/protobuf/wkt';
export * from './rpc-error';
export * from './field-errors.util';
export * from './mail-error-class.util';
// Users, groups and accounts: request schemas (zod, shared by the api and account-registry), views, RPC subjects.
export * from './registry';
// Messages: read API schemas, views and message-router's RPC subjects.
export * from './messages';
// The outbox: request schema, views and smtp-sender's RPC subjects.
export * from './outbox';
