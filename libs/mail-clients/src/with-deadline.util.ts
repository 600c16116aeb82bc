import { MailConnectionError } from './mail-connection.error';

/**
 * Bounds a whole exchange, whatever the client's own timeouts cover (a server that accepts TCP and
 * then says nothing, a TLS handshake that stalls). `onTimeout` tears the client down, so nothing
 * keeps running after the caller got its answer.
 */
export async function withDeadline<T>({ work, timeoutMs, what, onTimeout }: { work: Promise<T>; timeoutMs: number; what: string; onTimeout: () => void }): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new MailConnectionError({ errorClass: 'timeout', message: `${what}: no answer within ${timeoutMs} ms` }));
      onTimeout();
    }, timeoutMs);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
    // The losing promise may still reject after the race; it has been dealt with by then.
    work.catch(() => undefined);
  }
}
