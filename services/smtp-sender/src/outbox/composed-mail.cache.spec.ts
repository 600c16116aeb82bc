import { describe, expect, it } from 'vitest';
import { ComposedMailCache } from './composed-mail.cache';

const mail = (bytes: number, fill = 'a') => Buffer.alloc(bytes, fill);

describe(ComposedMailCache.name, () => {
  it('should answer the bytes remembered under a blob id until they are forgotten', () => {
    const cache = new ComposedMailCache();
    cache.remember('sent-1-n1', mail(5_000, 'x'));

    expect(cache.get('sent-1-n1')?.equals(mail(5_000, 'x'))).toBe(true);
    expect(cache.get('sent-2-n2')).toBeUndefined();
    cache.forget('sent-1-n1');
    expect(cache.get('sent-1-n1')).toBeUndefined();
  });

  it('should not keep a mail over 1 MiB, which the attempt reads from the store instead', () => {
    const cache = new ComposedMailCache();
    cache.remember('big', mail(1024 * 1024 + 1));

    expect(cache.get('big')).toBeUndefined();
  });

  it('should hold at most 32 MiB, dropping the least recently used mails first', () => {
    const cache = new ComposedMailCache();
    const size = 1024 * 1024;
    for (let n = 0; n < 40; n++) cache.remember(`mail-${n}`, mail(size));

    expect(cache.get('mail-0')).toBeUndefined();
    expect(cache.get('mail-7')).toBeUndefined();
    expect(cache.get('mail-8')).toBeDefined();
    expect(cache.get('mail-39')).toBeDefined();
  });
});
