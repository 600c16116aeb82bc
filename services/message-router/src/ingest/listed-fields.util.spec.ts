import { describe, expect, it } from 'vitest';
import { MAX_LISTED, cut, listedAddresses, listedAttachments } from './listed-fields.util';

describe('listed fields', () => {
  it('should keep short text as it is and cut long text without leaving half a surrogate pair', () => {
    expect(cut('Angebote', 20)).toBe('Angebote');
    expect(cut('abc😀def', 4)).toBe('abc');
    expect(cut('abc😀def', 5)).toBe('abc😀');
  });

  it('should list the first addresses of a field, each name and address cut', () => {
    const addresses = Array.from({ length: MAX_LISTED + 5 }, (_, n) => ({ address: `c${n}@b.example`, name: n === 0 ? 'N'.repeat(5_000) : '' }));
    const listed = listedAddresses(addresses);
    expect(listed).toHaveLength(MAX_LISTED);
    expect(listed[0]!.name).toHaveLength(200);
    expect(listed.at(-1)!.address).toBe(`c${MAX_LISTED - 1}@b.example`);
  });

  it('should list the first attachments with their index, so that the API still opens each by it', () => {
    const attachments = Array.from({ length: MAX_LISTED + 1 }, (_, index) => ({ index, filename: `${'f'.repeat(300)}.txt`, contentType: 'text/plain', size: 3, inline: false, partPath: `${index + 2}` }));
    const listed = listedAttachments(attachments);
    expect(listed).toHaveLength(MAX_LISTED);
    expect(listed[7]).toEqual({ index: 7, filename: 'f'.repeat(255), contentType: 'text/plain', size: 3, inline: false });
  });
});
