import { describe, expect, it } from 'vitest';
import { Pop3DotUnstuffer } from './pop3-dot-unstuffer';

/** Feeds the chunks one by one, as a socket would, and collects what comes out. */
function unstuff(chunks: string[]): { body: string; done: boolean; rest: string } {
  const sut = new Pop3DotUnstuffer();
  const body: Buffer[] = [];
  for (const [index, chunk] of chunks.entries()) {
    const { data, done, rest } = sut.push(Buffer.from(chunk, 'latin1'));
    body.push(...data);
    // What follows the terminator belongs to the next response, including later chunks.
    if (done) return { body: Buffer.concat(body).toString('latin1'), done, rest: rest.toString('latin1') + chunks.slice(index + 1).join('') };
  }
  return { body: Buffer.concat(body).toString('latin1'), done: false, rest: '' };
}

/** Every way to cut `text` in two. */
const splits = (text: string): string[][] => Array.from({ length: text.length + 1 }, (_, at) => [text.slice(0, at), text.slice(at)]);

const WIRE = 'Subject: dots\r\n\r\n..\r\n...double\r\n..leading dot\r\nend.\r\n.\r\n+OK next\r\n';
const BODY = 'Subject: dots\r\n\r\n.\r\n..double\r\n.leading dot\r\nend.\r\n';

describe(Pop3DotUnstuffer.name, () => {
  it('should remove stuffed dots, keep CRLF and stop at the terminating line', () => {
    expect(unstuff([WIRE])).toEqual({ body: BODY, done: true, rest: '+OK next\r\n' });
  });

  it.each(splits(WIRE).map((chunks) => [chunks[0]!.length, chunks]))('should give the same result when the wire is cut at %i', (_at, chunks) => {
    expect(unstuff(chunks as string[])).toEqual({ body: BODY, done: true, rest: '+OK next\r\n' });
  });

  it('should handle a terminator that arrives byte by byte', () => {
    expect(unstuff(['line\r\n', '.', '\r', '\n', 'rest'])).toEqual({ body: 'line\r\n', done: true, rest: 'rest' });
  });

  it('should not take a dot inside or at the end of a line for a terminator', () => {
    expect(unstuff(['a.\r\n', 'b\r\n.', 'x\r\n.\r\n'])).toEqual({ body: 'a.\r\nb\r\nx\r\n', done: true, rest: '' });
  });

  it('should keep a CR that follows a stuffed dot when no LF comes', () => {
    expect(unstuff(['..\r', 'x\r\n.\r\n'])).toEqual({ body: '.\rx\r\n', done: true, rest: '' });
    expect(unstuff(['.\r', 'x\r\n.\r\n'])).toEqual({ body: '\rx\r\n', done: true, rest: '' });
  });

  it('should end an empty body at once and accept a bare-LF terminator', () => {
    expect(unstuff(['.\r\n'])).toEqual({ body: '', done: true, rest: '' });
    expect(unstuff(['a\n.\nnext'])).toEqual({ body: 'a\n', done: true, rest: 'next' });
  });

  it('should report not done while the terminator is missing and pass slices of the input, not copies', () => {
    const sut = new Pop3DotUnstuffer();
    const chunk = Buffer.from('0123456789\r\n'.repeat(1_000));
    const { data, done } = sut.push(chunk);
    expect(done).toBe(false);
    expect(data).toHaveLength(1);
    expect(data[0]!.buffer).toBe(chunk.buffer);
  });

  it('should hand everything after the end back as rest', () => {
    const sut = new Pop3DotUnstuffer();
    sut.push(Buffer.from('.\r\n'));
    expect(sut.push(Buffer.from('+OK')).rest.toString()).toBe('+OK');
  });
});
