import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import { Readable } from 'node:stream';

/** A complete raw message built by nodemailer's composer (real MIME encoders, so fixtures are not hand-rolled). */
export const buildRawMessage = (overrides: Partial<Mail.Options> = {}): Promise<Buffer> =>
  new MailComposer({
    from: '"Anna Berger" <anna@example.com>',
    to: 'bob@example.org',
    subject: 'Test',
    text: 'Hello',
    messageId: '<test-1@example.com>',
    date: new Date('2025-03-01T10:00:00Z'),
    ...overrides,
  })
    .compile()
    .build();

/** A raw message given as text with LF line ends, turned into CRLF as on the wire. */
export const rawFromLines = (...lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');

/** A source that emits the bytes in small chunks, the way a blob store download does. */
export const chunkedSource = (raw: Buffer, chunkSize = 1024): Readable =>
  Readable.from(
    (function* () {
      for (let offset = 0; offset < raw.length; offset += chunkSize) yield raw.subarray(offset, offset + chunkSize);
    })(),
    { objectMode: false },
  );
