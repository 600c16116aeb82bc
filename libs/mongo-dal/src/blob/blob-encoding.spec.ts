import { describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { brotliDecompressSync } from 'node:zlib';
import { decodeStream, encodeBytes, encodeStream } from './blob-encoding';

const mailText = (lines: number): Buffer => Buffer.from(Array.from({ length: lines }, (_, n) => `Line ${n}: the invoice for order ${n * 7} is attached, regards\r\n`).join(''));
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

async function* pieces(content: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let offset = 0; offset < content.length; offset += size) yield content.subarray(offset, offset + size);
}

const collect = async (source: AsyncIterable<Buffer>): Promise<Buffer> => {
  const parts: Buffer[] = [];
  for await (const piece of source) parts.push(piece);
  return Buffer.concat(parts);
};

describe('encodeBytes', () => {
  it('should compress text and keep random or tiny content as is', () => {
    const text = mailText(500);
    const random = randomBytes(20_000);
    const tiny = Buffer.from('ok');

    const [encodedText, encodedRandom, encodedTiny] = [text, random, tiny].map(encodeBytes);

    expect(encodedText!.encoding).toBe('br');
    expect(encodedText!.stored.length).toBeLessThan(text.length / 3);
    expect(sha256(brotliDecompressSync(encodedText!.stored))).toBe(sha256(text));
    expect(encodedRandom!.encoding).toBe('identity');
    expect(encodedRandom!.stored).toBe(random);
    expect(encodedTiny!.encoding).toBe('identity');
    expect(encodedTiny!.stored).toBe(tiny);
  });
});

describe('encodeStream', () => {
  it('should compress a compressible stream and digest its content, not the stored bytes', async () => {
    const content = mailText(20_000);

    const encoded = await encodeStream(pieces(content, 40_000));
    const stored = await collect(encoded.pieces);

    expect(encoded.encoding).toBe('br');
    expect(stored.length).toBeLessThan(content.length / 3);
    expect(encoded.digest()).toEqual({ length: content.length, sha256: sha256(content) });
    // Compared by hash: a deep equality of megabytes is slow to compute and useless to print.
    expect(sha256(await collect(decodeStream({ encoding: 'br', pieces: Readable.from([stored.subarray(0, 1000), stored.subarray(1000)]) })))).toBe(sha256(content));
  });

  it('should pass an incompressible stream through unchanged', async () => {
    const content = randomBytes(200_000);

    const encoded = await encodeStream(pieces(content, 30_000));

    expect(encoded.encoding).toBe('identity');
    expect(sha256(await collect(encoded.pieces))).toBe(sha256(content));
    expect(encoded.digest()).toEqual({ length: content.length, sha256: sha256(content) });
  });

  it('should leave the source readable when its reader stops early', async () => {
    const source = Readable.from(pieces(mailText(20_000), 40_000));
    const encoded = await encodeStream(source);

    for await (const piece of encoded.pieces) {
      expect(piece.length).toBeGreaterThan(0);
      break;
    }
    for await (const _ of source) {
      // drained, as BlobStore does when the blob was stored already
    }

    expect(source.readableEnded).toBe(true);
  });

  it('should end the stored pieces with the error of a source that fails', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield* pieces(mailText(10_000), 40_000);
      throw new Error('connection reset');
    }

    const encoded = await encodeStream(failing());

    await expect(collect(encoded.pieces)).rejects.toThrow('connection reset');
  });

  it('should reject a source that yields strings', async () => {
    await expect(encodeStream(Readable.from(['text'], { objectMode: true }) as AsyncIterable<Uint8Array>)).rejects.toThrow(TypeError);
  });
});
