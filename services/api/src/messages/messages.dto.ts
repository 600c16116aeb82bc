import { createZodDto } from 'nestjs-zod';
import { z } from 'zod';
import { entityIdField, listUserMessagesSchema, messageIdField } from '@mailbus/contracts';

export class MessageIdParams extends createZodDto(z.object({ id: messageIdField })) {}
export class AttachmentParams extends createZodDto(z.object({ id: messageIdField, index: z.coerce.number({ invalid_type_error: 'must be a number' }).int('must be a whole number').min(0, 'must be 0 or more') })) {}
export class ListMessagesQueryDto extends createZodDto(listUserMessagesSchema.omit({ userId: true })) {}
export class MessageUserQueryDto extends createZodDto(z.object({ userId: entityIdField.optional() }).strict()) {}
export class MessageUserBodyDto extends createZodDto(z.object({ userId: entityIdField }).strict()) {}

const address = (name: string, local: string) => ({ address: `${local}@example.com`, name });

export const summaryExample = {
  id: 'm3f0c2a9d4b1e8f7a6c5d4e3f2a1b0c9d',
  deliveryId: 'd8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d',
  accountId: 'K2pX9vQ1rT8uW3yZ5aB7cD',
  folder: 'inbox',
  rule: 'recipient-address',
  matchedAddress: 'anna.berger@example.com',
  read: false,
  from: address('Max Kunde', 'max.kunde'),
  to: [address('Anna Berger', 'anna.berger')],
  subject: 'Besichtigung Musterstraße 12',
  date: '2026-11-30T08:14:00.000Z',
  receivedAt: '2026-11-30T08:14:03.000Z',
  size: 48211,
  spam: false,
  threadId: 'c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6',
  hasAttachments: true,
};

export const messageExample = {
  id: summaryExample.id,
  accountId: summaryExample.accountId,
  messageIdHeader: '<20261130081400.4711@example.com>',
  references: [],
  threadId: summaryExample.threadId,
  date: summaryExample.date,
  receivedAt: summaryExample.receivedAt,
  from: summaryExample.from,
  to: summaryExample.to,
  cc: [],
  bcc: [],
  replyTo: [],
  subject: summaryExample.subject,
  size: summaryExample.size,
  headers: [{ key: 'subject', value: 'Besichtigung =?UTF-8?Q?Musterstra=C3=9Fe?= 12' }],
  text: 'Guten Tag Frau Berger, …',
  html: '<p>Guten Tag Frau Berger, …</p><img data-remote-src="https://tracker.example.net/p.gif" alt="">',
  htmlHasRemoteContent: true,
  attachments: [{ index: 0, filename: 'Exposé.pdf', contentType: 'application/pdf', size: 41230, inline: false }],
  spam: { spam: false },
  source: { protocol: 'imap', folder: 'INBOX', uidValidity: 1700000000, uid: 4711 },
  delivery: { id: summaryExample.deliveryId, folder: 'inbox', rule: 'recipient-address', matchedAddress: 'anna.berger@example.com', read: false },
};
export class MessageUserRequiredQueryDto extends createZodDto(z.object({ userId: entityIdField }).strict()) {}
