import { createHash, randomBytes } from 'node:crypto';

/** 57 raw bytes make one 76-character base64 line; 1024 lines per chunk keeps chunks line-aligned. */
const RAW_CHUNK_BYTES = 57 * 1024;

export interface LargeMessage {
  /** Generated lazily: the whole message never exists in memory. */
  source: AsyncIterable<Buffer>;
  /** Known once the source has been read to the end. */
  expected: { rawSize: () => number; attachmentSha256: () => string; attachmentBytes: number };
}

/**
 * A multipart/mixed message with a short text part and one base64 attachment of `attachmentBytes` random
 * bytes (rounded down to whole chunks), generated chunk by chunk with its sha256 computed on the way.
 */
export const largeMessage = ({ attachmentBytes }: { attachmentBytes: number }): LargeMessage => {
  const chunks = Math.floor(attachmentBytes / RAW_CHUNK_BYTES);
  const block = randomBytes(RAW_CHUNK_BYTES);
  const hash = createHash('sha256');
  let rawSize = 0;
  let digest = '';
  const boundary = 'large-boundary-7d1f';
  async function* generate(): AsyncGenerator<Buffer> {
    const emit = (text: string | Buffer): Buffer => {
      const bytes = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
      rawSize += bytes.length;
      return bytes;
    };
    yield emit(
      [
        'From: Big Sender <big@example.com>',
        'To: someone@example.org',
        'Subject: large attachment',
        'Message-ID: <large@example.com>',
        'Date: Sat, 01 Mar 2025 10:00:00 +0000',
        'MIME-Version: 1.0',
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        'See the attachment.',
        `--${boundary}`,
        'Content-Type: application/octet-stream; name="big.bin"',
        'Content-Disposition: attachment; filename="big.bin"',
        'Content-Transfer-Encoding: base64',
        '',
        '',
      ].join('\r\n'),
    );
    for (let i = 0; i < chunks; i++) {
      const raw = Buffer.from(block);
      raw.writeUInt32BE(i, 0); // every chunk differs, so a mixed-up order changes the hash
      hash.update(raw);
      yield emit(raw.toString('base64').replace(/.{76}/g, '$&\r\n'));
    }
    digest = hash.digest('hex');
    yield emit(`--${boundary}--\r\n`);
  }
  return { source: generate(), expected: { rawSize: () => rawSize, attachmentSha256: () => digest, attachmentBytes: chunks * RAW_CHUNK_BYTES } };
};
