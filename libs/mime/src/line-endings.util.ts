import { Transform, type TransformCallback } from 'node:stream';

/** How far into the message the line-end style is decided: the header section is expected within this. */
const DETECT_BYTES = 64 * 1024;
const CR = 0x0d;
const LF = 0x0a;

/**
 * Passes the raw message on unchanged, except when it uses bare CR as its line end (classic Mac files; no LF
 * anywhere in the first 64 KiB but CRs present): then every CR not followed by LF becomes CRLF, so that the
 * MIME parser sees lines at all instead of one giant header. The decision is made once per message, so a
 * CRLF or LF message is never touched — binary parts keep their bytes. parseMessage and openAttachment both use
 * it, so attachment indexes and bytes agree.
 */
export const createLineEndNormalizer = (): Transform => {
  let mode: 'undecided' | 'pass' | 'cr' = 'undecided';
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let carryCr = false;

  const convert = (chunk: Buffer): Buffer => {
    let start = 0;
    const parts: Buffer[] = [];
    if (carryCr) {
      parts.push(Buffer.from(chunk[0] === LF ? [CR] : [CR, LF]));
      carryCr = false;
    }
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== CR) continue;
      if (i === chunk.length - 1) {
        parts.push(chunk.subarray(start, i));
        carryCr = true;
        start = chunk.length;
        break;
      }
      if (chunk[i + 1] !== LF) {
        parts.push(chunk.subarray(start, i), Buffer.from([CR, LF]));
        start = i + 1;
      }
    }
    parts.push(chunk.subarray(start));
    return Buffer.concat(parts);
  };

  const decide = (final: boolean): Buffer | undefined => {
    const head = Buffer.concat(pending, pendingBytes);
    if (head.includes(LF)) mode = 'pass';
    else if (head.includes(CR)) mode = 'cr';
    else if (final || pendingBytes >= DETECT_BYTES) mode = 'pass';
    else return undefined;
    pending = [];
    pendingBytes = 0;
    return mode === 'cr' ? convert(head) : head;
  };

  return new Transform({
    transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      if (mode === 'pass') return done(null, chunk);
      if (mode === 'cr') return done(null, convert(chunk));
      pending.push(chunk);
      pendingBytes += chunk.length;
      const decided = decide(false);
      done(null, decided);
    },
    flush(done: TransformCallback) {
      const rest = mode === 'undecided' ? decide(true) : undefined;
      if (rest && rest.length > 0) this.push(rest);
      if (carryCr) this.push(Buffer.from([CR, LF]));
      done();
    },
  });
};
