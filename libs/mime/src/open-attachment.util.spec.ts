import { simpleParser } from 'mailparser';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { largeMessage } from '../test/factories/large-message.factory';
import { buildRawMessage, chunkedSource } from '../test/factories/raw-message.factory';
import { AttachmentNotFoundError } from './attachment-not-found.error';
import { openAttachment } from './open-attachment.util';
import { parseMessage } from './parse-message.util';
import { ATTACHMENT_ORDER_OPTIONS } from './parsing.constants';

const CORPUS = join(__dirname, '../test/fixtures/corpus');
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

const readAll = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

/** Every attachment via openAttachment, checked against what parseMessage recorded for the same index. */
const openAll = async (raw: Buffer): Promise<{ hashes: string[]; sizes: number[] }> => {
  const parsed = await parseMessage(chunkedSource(raw), { timeoutMs: 10_000 });
  const hashes: string[] = [];
  for (const recorded of parsed.attachments) {
    const { attachment, content } = await openAttachment(chunkedSource(raw), recorded.index);
    hashes.push(sha256(await readAll(content)));
    expect(attachment).toEqual(recorded);
  }
  return { hashes, sizes: parsed.attachments.map((a) => a.size) };
};

describe(openAttachment.name, () => {
  it('should return the exact bytes of each attachment when the message mixes encodings and inline parts', async () => {
    const files = [randomBytes(10_000), randomBytes(1), Buffer.from('Zeile 1: Grüße\r\nZeile 2 = quoted\r\n'), randomBytes(70_001)];
    const raw = await buildRawMessage({
      html: '<p>Logo <img src="cid:logo@x"></p>',
      attachments: [
        { filename: 'logo.png', content: files[0], cid: 'logo@x', contentType: 'image/png' },
        { filename: 'one.bin', content: files[1], contentType: 'application/octet-stream' },
        { filename: 'notes.txt', content: files[2], contentType: 'text/plain; charset=utf-8', contentTransferEncoding: 'quoted-printable' },
        { filename: 'big.dat', content: files[3], contentType: 'application/x-data' },
      ],
    });
    const sut = await openAll(raw);
    expect(sut.hashes).toEqual(files.map(sha256));
    expect(sut.sizes).toEqual(files.map((f) => f.length));
  });

  it('should serve an attached message/rfc822 as one attachment with its raw bytes', async () => {
    const inner = await buildRawMessage({ subject: 'inner', attachments: [{ filename: 'x.bin', content: randomBytes(500) }] });
    const raw = await buildRawMessage({ attachments: [{ filename: 'fwd.eml', content: inner, contentType: 'message/rfc822', contentDisposition: 'attachment' }] });
    const sut = await openAll(raw);
    expect(sut.hashes).toEqual([sha256(inner)]);
  });

  it('should list the parts of an inline forwarded message/rfc822 instead of the message itself', async () => {
    const file = randomBytes(500);
    const inner = await buildRawMessage({ subject: 'inner', attachments: [{ filename: 'x.bin', content: file }] });
    const raw = await buildRawMessage({ attachments: [{ filename: 'fwd.eml', content: inner, contentType: 'message/rfc822', contentDisposition: 'inline' }] });
    const sut = await openAll(raw);
    expect(sut.hashes).toEqual([sha256(file)]);
  });

  it.each([
    'gh-mikel-mail/attachment_emails__attachment_message_rfc822.eml',
    'gh-mikel-mail/attachment_emails__attachment_message_rfc822_inline_image.eml',
    'gh-mikel-mail/multi_charset__japanese_attachment.eml',
    'gh-mimekit/mbox__content-length.mbox.txt__001.eml',
    'gh-mikel-mail/attachment_emails__attachment_pdf.eml',
    'gh-mikel-mail/attachment_emails__attachment_nonascii_filename.eml',
    'gh-mime-tools/testin__multi-2gifs.msg.eml',
    'gh-php-mime-mail-parser/m0020.eml',
    'debian-rspamd/ics.eml',
    'gh-flanker/attached-pdf.eml',
  ])('should match the buffered parser byte for byte for corpus file %s', async (path) => {
    const raw = await readFile(join(CORPUS, path));
    const reference = await simpleParser(raw, { ...ATTACHMENT_ORDER_OPTIONS, checksumAlgo: 'sha256' });
    expect(reference.attachments.length).toBeGreaterThan(0);
    const sut = await openAll(raw);
    expect(sut.hashes).toEqual(reference.attachments.map((a) => a.checksum));
  });

  it('should stream a 38 MiB attachment out of a 50 MB message unchanged', async () => {
    const message = largeMessage({ attachmentBytes: 38 * 1024 * 1024 });
    const { attachment, content } = await openAttachment(message.source, 0);
    const hash = createHash('sha256');
    for await (const chunk of content) hash.update(chunk as Buffer);
    expect(hash.digest('hex')).toBe(message.expected.attachmentSha256());
    expect(attachment.size).toBe(message.expected.attachmentBytes);
  });

  it('should reject with AttachmentNotFoundError when the index is past the last attachment', async () => {
    const raw = await buildRawMessage({ attachments: [{ filename: 'a.txt', content: 'a' }] });
    const error = await openAttachment(chunkedSource(raw), 1).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AttachmentNotFoundError);
    expect((error as AttachmentNotFoundError).message).toBe('attachment 1 not found: the message has 1 attachment');
  });

  it('should stop reading the source when the reader destroys the content early', async () => {
    const raw = await buildRawMessage({ attachments: [{ filename: 'big.bin', content: randomBytes(2_000_000) }] });
    const source = chunkedSource(raw, 16_384);
    const { content } = await openAttachment(source, 0);
    for await (const _chunk of content) break; // leaving the loop destroys the stream
    await new Promise((resolve) => setImmediate(resolve));
    expect(source.destroyed).toBe(true);
  });

  it('should time out when the part is not reached in time', async () => {
    const source = new Readable({ read() {} });
    source.push('From: a@example.com\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n');
    await expect(openAttachment(source, 0, { timeoutMs: 100 })).rejects.toThrow('timed out after 100 ms');
    expect(source.destroyed).toBe(true);
  });
});
