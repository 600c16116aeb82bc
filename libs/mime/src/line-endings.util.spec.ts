import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLineEndNormalizer } from './line-endings.util';

const run = async (chunks: string[]): Promise<string> => {
  const out: Buffer[] = [];
  for await (const chunk of Readable.from(chunks.map((c) => Buffer.from(c, 'latin1'))).pipe(createLineEndNormalizer())) out.push(chunk as Buffer);
  return Buffer.concat(out).toString('latin1');
};

describe(createLineEndNormalizer.name, () => {
  it('should turn bare CR line ends into CRLF when the message uses CR only, across chunk borders', async () => {
    expect(await run(['From: a\rSubject: b\r', '\rbody\r', 'more\r'])).toBe('From: a\r\nSubject: b\r\n\r\nbody\r\nmore\r\n');
  });

  it('should not touch a CRLF message even when a part has bare CR bytes', async () => {
    const raw = 'From: a\r\n\r\nbinary \r here\r\n';
    expect(await run([raw.slice(0, 5), raw.slice(5)])).toBe(raw);
  });

  it('should not touch an LF message or one without line ends', async () => {
    expect(await run(['From: a\n\nbody\n'])).toBe('From: a\n\nbody\n');
    expect(await run(['no line end at all'])).toBe('no line end at all');
  });
});
