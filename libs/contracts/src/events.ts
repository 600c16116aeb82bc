import type { EventDefinition } from './event-definition';
import { defineEvent } from './event-definition';
import { AccountChangedSchema } from './gen/mailbus/v1/account_changed_pb';
import { AccountSyncFailedSchema } from './gen/mailbus/v1/account_sync_failed_pb';
import { MessageDeletedSchema } from './gen/mailbus/v1/message_deleted_pb';
import { MessageDeliveredSchema } from './gen/mailbus/v1/message_delivered_pb';
import { MessageFetchedSchema } from './gen/mailbus/v1/message_fetched_pb';
import { MessageSentSchema } from './gen/mailbus/v1/message_sent_pb';
import { SendFailedSchema } from './gen/mailbus/v1/send_failed_pb';
import { SendRequestedSchema } from './gen/mailbus/v1/send_requested_pb';
import { SpamMarkedSchema } from './gen/mailbus/v1/spam_marked_pb';
import { SpamMovedSchema } from './gen/mailbus/v1/spam_moved_pb';

/**
 * Every event of SPEC §5. Publishers and consumers name events only through this registry.
 * @example publisher.publish(Events.messageFetched, { fetchKey, accountId, ... })
 */
export const Events = {
  accountChanged: defineEvent({ name: 'account.changed', schema: AccountChangedSchema }),
  accountSyncFailed: defineEvent({ name: 'account.sync_failed', schema: AccountSyncFailedSchema }),
  messageFetched: defineEvent({ name: 'message.fetched', schema: MessageFetchedSchema }),
  messageDelivered: defineEvent({ name: 'message.delivered', schema: MessageDeliveredSchema }),
  sendRequested: defineEvent({ name: 'send.requested', schema: SendRequestedSchema }),
  messageSent: defineEvent({ name: 'message.sent', schema: MessageSentSchema }),
  sendFailed: defineEvent({ name: 'send.failed', schema: SendFailedSchema }),
  spamMarked: defineEvent({ name: 'spam.marked', schema: SpamMarkedSchema }),
  spamMoved: defineEvent({ name: 'spam.moved', schema: SpamMovedSchema }),
  messageDeleted: defineEvent({ name: 'message.deleted', schema: MessageDeletedSchema }),
} as const;

export type EventKey = keyof typeof Events;

/** The registry as a list, e.g. to declare stream subjects or to look an incoming subject up. */
export const ALL_EVENTS: readonly EventDefinition[] = Object.freeze(Object.values(Events));

const bySubject = new Map<string, EventDefinition>(ALL_EVENTS.map((event) => [event.subject, event]));

/** The event published on `subject`, or undefined for a subject outside the registry. */
export const findEventBySubject = (subject: string): EventDefinition | undefined => bySubject.get(subject);
