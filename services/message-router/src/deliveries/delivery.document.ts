import type { MailAddressView, RoutingRuleName, UserFolderName } from '@mailbus/contracts';

/** The user id of deliveries nobody could be found for; admins read them as the user `unassigned`. */
export const UNASSIGNED_USER = 'unassigned';

/**
 * A message in one user's folder. `_id` derives from (user, message identity), so the same mail
 * reaching a user through two accounts or a re-fetch is one delivery. What a folder listing shows is
 * copied here, so a page is one query.
 */
export interface DeliveryDocument {
  _id: string;
  userId: string;
  messageId: string;
  accountId: string;
  /**
   * The fetch of the copy this delivery was made from: a multidrop mailbox keeps one copy per envelope
   * recipient, each with that recipient's trace headers, and a user sees, downloads and marks their own.
   * Absent on deliveries written before copies were told apart: the record's own copy.
   */
  fetchKey?: string;
  folder: UserFolderName;
  rule: RoutingRuleName;
  matchedAddress: string;
  read: boolean;
  receivedAt: Date;
  from?: MailAddressView;
  to: MailAddressView[];
  subject: string;
  date?: Date;
  size: number;
  spam: boolean;
  threadId: string;
  hasAttachments: boolean;
  parseError?: string;
  /** False until message.delivered is in JetStream; a redelivered message.fetched publishes what is still false. */
  published: boolean;
  deliveredAt: Date;
  /** Set when the user deleted it (folder trash); once every delivery of a message is, the server copy goes. */
  deletedAt?: Date;
}
