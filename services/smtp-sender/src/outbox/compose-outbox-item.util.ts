import { buildEnvelope, composeMessage, type AccountSignature, type ComposeAttachment, type ComposedEnvelope, type ComposedMessage } from '../composition';
import type { OutboxItemDocument } from './outbox-item.document';

/** What an item fixes of its mail when it is accepted: everything in its headers. */
export type OutboxMessageFields = Pick<OutboxItemDocument, 'from' | 'replyTo' | 'to' | 'cc' | 'bcc' | 'subject' | 'text' | 'html' | 'inReplyTo' | 'references' | 'messageIdHeader' | 'date'>;

const asAddresses = (list: string[]) => list.map((address) => ({ address, name: '' }));

/**
 * The item's mail as the composer builds it: the headers the item fixed when it was accepted, the
 * account's signature and the attachments' bytes. The envelope is outboxEnvelope's, built at each attempt.
 */
export function composeOutboxItem({ item, attachments, signature }: { item: OutboxMessageFields; attachments: ComposeAttachment[]; signature: AccountSignature }): Promise<ComposedMessage> {
  return composeMessage({
    from: item.from,
    ...(item.replyTo ? { replyTo: item.replyTo } : {}),
    to: asAddresses(item.to),
    cc: asAddresses(item.cc),
    bcc: asAddresses(item.bcc),
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

/** The item's SMTP envelope: its recipients and the archive addresses, from the account's address. */
export function outboxEnvelope({ item, archiveBcc, envelopeFrom }: { item: OutboxMessageFields; archiveBcc: string[]; envelopeFrom: string }): ComposedEnvelope {
  return buildEnvelope({ from: item.from, to: asAddresses(item.to), cc: asAddresses(item.cc), bcc: asAddresses(item.bcc), archiveBcc, envelopeFrom });
}
