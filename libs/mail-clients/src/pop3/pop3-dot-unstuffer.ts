const CR = 0x0d;
const LF = 0x0a;
const DOT = 0x2e;
const CR_BUFFER = Buffer.from([CR]);

/** Where the previous chunk left off: the terminator `.CRLF` or a stuffed dot may straddle chunks. */
type State = 'line-start' | 'in-line' | 'dot' | 'dot-cr';

export interface UnstuffedChunk {
  /** The body bytes of this chunk, slices of it (no copy), to be passed on in order. */
  data: Buffer[];
  /** The terminating line has been seen. */
  done: boolean;
  /** Bytes after the terminating line: the next response, to hand back to the reader. */
  rest: Buffer;
}

/**
 * Decodes the body of a POP3 multi-line response (RFC 1939 §3) chunk by chunk: a line `.` ends it,
 * a leading `.` of any other line is removed (`..x` → `.x`). Line breaks are passed on as sent (CRLF).
 * Holds at most one pending CR between chunks, so a message of any size streams in constant memory.
 * A lone `.LF` also ends the body: some servers send bare LF line ends.
 */
export class Pop3DotUnstuffer {
  private state: State = 'line-start';
  private finished = false;

  push(chunk: Buffer): UnstuffedChunk {
    if (this.finished) return { data: [], done: true, rest: chunk };
    const data: Buffer[] = [];
    const take = (from: number, to: number): void => {
      if (to > from) data.push(chunk.subarray(from, to));
    };
    let from = 0;
    for (let index = 0; index < chunk.length; index += 1) {
      const byte = chunk[index];
      switch (this.state) {
        case 'line-start':
          if (byte === DOT) {
            take(from, index);
            from = index + 1; // the dot is stuffing or the start of the terminator: never data
            this.state = 'dot';
          } else {
            this.state = byte === LF ? 'line-start' : 'in-line';
          }
          break;
        case 'in-line': {
          // Most bytes are inside a line: jump to its end natively (memchr) instead of looking at each.
          const lineEnd = byte === LF ? index : chunk.indexOf(LF, index);
          if (lineEnd === -1) index = chunk.length;
          else {
            index = lineEnd;
            this.state = 'line-start';
          }
          break;
        }
        case 'dot':
          if (byte === CR) {
            take(from, index);
            from = index + 1; // held back: `.CR` is the terminator if LF follows
            this.state = 'dot-cr';
          } else if (byte === LF) {
            return this.finish({ data, rest: chunk.subarray(index + 1) });
          } else {
            this.state = 'in-line';
          }
          break;
        case 'dot-cr':
          if (byte === LF) return this.finish({ data, rest: chunk.subarray(index + 1) });
          data.push(CR_BUFFER); // `.CRx`: the held CR was data after a stuffed dot
          from = index;
          this.state = 'in-line';
          break;
      }
    }
    take(from, chunk.length);
    return { data, done: false, rest: Buffer.alloc(0) };
  }

  private finish({ data, rest }: { data: Buffer[]; rest: Buffer }): UnstuffedChunk {
    this.finished = true;
    return { data, done: true, rest };
  }
}
