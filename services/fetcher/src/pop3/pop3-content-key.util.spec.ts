import { describe, expect, it } from 'vitest';
import { assignContentKeys, contentDigest } from './pop3-content-key.util';

const HEADER = Buffer.from('Received: from mx by pop\r\nMessage-ID: <a@example.com>\r\nSubject: hello\r\n\r\n');

describe(contentDigest.name, () => {
  it('should give a sha256 key of the header block and the size', () => {
    expect(contentDigest({ header: HEADER, size: 120 })).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(contentDigest({ header: HEADER, size: 120 })).toBe(contentDigest({ header: Buffer.from(HEADER), size: 120 }));
  });

  it('should tell messages apart by size or by any byte of the header', () => {
    const base = contentDigest({ header: HEADER, size: 120 });
    expect(contentDigest({ header: HEADER, size: 121 })).not.toBe(base);
    expect(contentDigest({ header: Buffer.from(HEADER.toString().replace('hello', 'hellO')), size: 120 })).not.toBe(base);
  });

  it('should not let the size run into the header (header "…1" size 20 vs header "…" size 120)', () => {
    expect(contentDigest({ header: Buffer.from('X: 1'), size: 20 })).not.toBe(contentDigest({ header: Buffer.from('X: '), size: 120 }));
  });
});

describe(assignContentKeys.name, () => {
  it('should key unique messages by their digest alone, with no siblings', () => {
    expect(assignContentKeys([{ number: 2, digest: 'sha256:b' }, { number: 1, digest: 'sha256:a' }])).toEqual([
      { number: 1, key: 'sha256:a', siblings: [] },
      { number: 2, key: 'sha256:b', siblings: [] },
    ]);
  });

  it('should give identical messages occurrence suffixes by message number, so no two share a key', () => {
    const sut = assignContentKeys([
      { number: 3, digest: 'sha256:a' },
      { number: 1, digest: 'sha256:a' },
      { number: 2, digest: 'sha256:b' },
      { number: 4, digest: 'sha256:a' },
    ]);
    expect(sut).toEqual([
      { number: 1, key: 'sha256:a', siblings: ['sha256:a#2', 'sha256:a#3'] },
      { number: 2, key: 'sha256:b', siblings: [] },
      { number: 3, key: 'sha256:a#2', siblings: ['sha256:a', 'sha256:a#3'] },
      { number: 4, key: 'sha256:a#3', siblings: ['sha256:a', 'sha256:a#2'] },
    ]);
    expect(new Set(sut.map(({ key }) => key)).size).toBe(4);
  });

  it('should keep the keys of a listing when new mail arrives after it or other mail goes', () => {
    const before = assignContentKeys([
      { number: 1, digest: 'sha256:x' },
      { number: 2, digest: 'sha256:a' },
      { number: 3, digest: 'sha256:a' },
    ]);
    // Next session: message 1 was deleted (numbers shift down) and a new copy of "a" arrived at the end.
    const after = assignContentKeys([
      { number: 1, digest: 'sha256:a' },
      { number: 2, digest: 'sha256:a' },
      { number: 3, digest: 'sha256:a' },
    ]);
    expect(after.slice(0, 2).map(({ key }) => key)).toEqual(before.slice(1).map(({ key }) => key));
    expect(after[2]!.key).toBe('sha256:a#3');
  });
});
