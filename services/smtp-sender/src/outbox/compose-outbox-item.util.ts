import { composeMessage, type AccountSignature, type ComposeAttachment, type ComposedMessage } from '../composition';
import type { OutboxItemDocument } from './outbox-item.document';

/**
 * The item's mail as the composer builds it: the headers the item fixed when it was accepted, the
 * account's signature and the attachments' bytes. The envelope (archive Bcc, MAIL FROM) is the
 * sender's business at each attempt; the one returned here only checks that the addresses work.
 */
export function composeOutboxItem({ item, attachments, signature }: { item: OutboxItemDocument; attachments: ComposeAttachment[]; signature: AccountSignature }): Promise<ComposedMessage> {
  return composeMessage({
    from: item.from,
    ...(item.replyTo ? { replyTo: item.replyTo } : {}),
    to: item.to.map((address) => ({ address, name: '' })),
    cc: item.cc.map((address) => ({ address, name: '' })),
    bcc: item.bcc.map((address) => ({ address, name: '' })),
    subject: item.subject,
    ...(item.text !== undefined ? { text: item.text } : {}),
    ...(item.html !== undefined ? { html: item.html } : {}),
    attachments,
    ...(item.inReplyTo ? { inReplyTo: item.inReplyTo, references: item.references ?? [item.inReplyTo] } : {}),
    messageId: item.messageIdHeader,
    date: item.date,
    signature,
  });
}
