import type { ComposeInput } from '../../src/composition';

/** Every byte value, repeated: an attachment that survives only an exact round trip. */
export const binaryContent = (size = 70_000): Buffer => Buffer.from(Array.from({ length: size }, (_, index) => (index * 7 + (index >> 8)) % 256));

export const composeInputFactory = (override: Partial<ComposeInput> = {}): ComposeInput => ({
  from: { address: 'sales@company.example', name: 'ACME Sales' },
  replyTo: { address: 'replies@company.example', name: 'ACME Sales' },
  to: [{ address: 'bob@customer.example', name: 'Bob Customer' }],
  cc: [{ address: 'carl@customer.example' }],
  bcc: [{ address: 'secret@partner.example', name: 'Secret Partner' }],
  subject: 'Your offer',
  text: 'Hello Bob,\n\nhere is the offer.\n\n-- \nAnna Berger\n',
  html: '<html><body><p>Hello Bob,</p><p>here is the offer.</p><div data-mailbus-signature><p>Anna Berger</p></div></body></html>',
  attachments: [{ filename: 'offer.bin', contentType: 'application/octet-stream', content: binaryContent() }],
  inReplyTo: '<request-1@customer.example>',
  references: ['<thread-0@customer.example>', '<request-1@customer.example>'],
  messageId: '<out-42@mailbus.company.example>',
  date: new Date('2025-03-01T10:00:00Z'),
  signature: { text: 'ACME Sales\nwww.acme.example', html: '<p><b>ACME Sales</b></p>' },
  archiveBcc: ['archive@company.example', 'archive-sales@company.example'],
  envelopeFrom: 'sales@company.example',
  ...override,
});
