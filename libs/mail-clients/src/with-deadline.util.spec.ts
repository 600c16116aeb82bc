import { describe, expect, it, vi } from 'vitest';
import { MailConnectionError } from './mail-connection.error';
import { withDeadline } from './with-deadline.util';

describe(withDeadline.name, () => {
  it('should pass the result through when the work is in time', async () => {
    const onTimeout = vi.fn();
    await expect(withDeadline({ work: Promise.resolve('done'), timeoutMs: 1_000, what: 'IMAP host', onTimeout })).resolves.toBe('done');
    expect(onTimeout).not.toHaveBeenCalled();
  });

  it('should reject with a timeout and tear the client down when the work hangs', async () => {
    vi.useFakeTimers();
    try {
      const onTimeout = vi.fn();
      const sut = withDeadline({ work: new Promise<never>(() => undefined), timeoutMs: 1_500, what: 'POP3 host', onTimeout });
      const assertion = expect(sut).rejects.toMatchObject({ errorClass: 'timeout', message: 'POP3 host: no answer within 1500 ms' });
      await vi.advanceTimersByTimeAsync(1_500);
      await assertion;
      await expect(sut).rejects.toBeInstanceOf(MailConnectionError);
      expect(onTimeout).toHaveBeenCalledOnce();
    } finally {
      vi.useRealTimers();
    }
  });

  it('should pass the work’s own failure through', async () => {
    const failure = new Error('connect ECONNREFUSED');
    await expect(withDeadline({ work: Promise.reject(failure), timeoutMs: 1_000, what: 'x', onTimeout: () => undefined })).rejects.toBe(failure);
  });
});
