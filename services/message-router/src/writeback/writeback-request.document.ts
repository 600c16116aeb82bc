import type { MessageDocument } from '../messages/message.document';

/**
 * A user action that spam-feedback writes back to the mail server (spam.marked or message.deleted),
 * stored with the change it belongs to and published from here (outbox pattern: `pendingPublish`
 * until JetStream has it; a sweeper publishes what a crash left). `_id` is the event's msg id.
 */
export interface WritebackRequestDocument {
  _id: string;
  kind: 'spam' | 'delete';
  messageId: string;
  userId: string;
  accountId: string;
  /** kind spam: to Junk (true) or back to the Inbox (false). */
  spam?: boolean;
  /** kind delete: only the user's delivery, or the message on the server (every delivery deleted). */
  scope?: 'user' | 'server';
  /** `size`: the copy's as fetched, which tells it from other copies with the same Message-ID. */
  location: MessageDocument['source'] & { messageIdHeader?: string; size?: number };
  /** kind spam: the copy moved (its fetch key, message_copies), absent for the record's own; spam.moved echoes it. */
  copyId?: string;
  pendingPublish: boolean;
  requestedAt: Date;
}
