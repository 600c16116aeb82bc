import { describe, expect, it } from 'vitest';
import { fixedSizeChunks } from './fixed-size-chunks.util';

async function* pieces(sizes: number[]): AsyncGenerator<Buffer> {
  let next = 0;
  for (const size of sizes) yield Buffer.from(Array.from({ length: size }, () => next++ % 256));
}

async function collect(source: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const out: Buffer[] = [];
  for await (const chunk of source) out.push(chunk);
  return out;
}

describe(fixedSizeChunks.name, () => {
  it('should cut exact chunks and a short last one when pieces straddle chunk borders', async () => {
    const chunks = await collect(fixedSizeChunks({ source: pieces([3, 9, 1, 4]), size: 5 }));

    expect(chunks.map((chunk) => chunk.length)).toEqual([5, 5, 5, 2]);
    expect(Buffer.concat(chunks)).toEqual(Buffer.from(Array.from({ length: 17 }, (_, index) => index)));
  });

  it('should yield nothing when the source is empty', async () => {
    expect(await collect(fixedSizeChunks({ source: pieces([]), size: 5 }))).toEqual([]);
  });

  it('should not yield a trailing empty chunk when the length is a multiple of the size', async () => {
    expect((await collect(fixedSizeChunks({ source: pieces([10]), size: 5 }))).map((chunk) => chunk.length)).toEqual([5, 5]);
  });

  it('should throw when the source yields strings', async () => {
    async function* strings(): AsyncGenerator<string> {
      yield 'text';
    }

    await expect(collect(fixedSizeChunks({ source: strings() as unknown as AsyncIterable<Uint8Array>, size: 5 }))).rejects.toThrow('blob source must yield bytes');
  });
});
