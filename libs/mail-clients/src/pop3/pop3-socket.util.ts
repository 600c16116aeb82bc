import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { MailSecurity } from '@mailbus/mail-protocol';
import { MailConnectionError } from '../mail-connection.error';
import type { MailClientOptions } from '../mail-server-settings';
import { tlsOptionsFor } from '../tls-options.util';

/**
 * Waits until `socket` emits `ready`, bounded by `timeoutMs`; on failure the socket is destroyed.
 * The idle timeout is switched off afterwards: the line reader times the answers.
 */
function settle<T extends Socket>({ socket, ready, timeoutMs, what, signal }: { socket: T; ready: 'connect' | 'secureConnect'; timeoutMs: number; what: string; signal?: AbortSignal }): Promise<T> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => fail(new MailConnectionError({ errorClass: 'timeout', message: `${what} was aborted` }));
    const fail = (error: Error): void => {
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(error);
    };
    socket.setTimeout(timeoutMs, () => fail(new MailConnectionError({ errorClass: 'timeout', message: `${what} did not complete within ${timeoutMs} ms` })));
    socket.once('error', fail);
    socket.once(ready, () => {
      signal?.removeEventListener('abort', onAbort);
      socket.setTimeout(0);
      socket.off('error', fail);
      resolve(socket);
    });
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** TCP, or TLS from the first byte for `tls`; resolves once the handshake is done. */
export function openPop3Socket({
  host,
  port,
  security,
  tls,
  timeoutMs,
  signal,
}: {
  host: string;
  port: number;
  security: MailSecurity;
  tls: MailClientOptions['tls'];
  timeoutMs: number;
  signal?: AbortSignal;
}): Promise<Socket | TLSSocket> {
  if (security === 'tls')
    return settle({ socket: tlsConnect({ host, port, ...tlsOptionsFor({ host, tls }) }), ready: 'secureConnect', timeoutMs, what: `the TLS connection to ${host}:${port}`, signal });
  return settle({ socket: netConnect({ host, port }), ready: 'connect', timeoutMs, what: `the connection to ${host}:${port}`, signal });
}

/** The STLS upgrade (RFC 2595): TLS over the connected socket, verified for `host`. */
export function upgradeToTls({ socket, host, tls, timeoutMs }: { socket: Socket; host: string; tls: MailClientOptions['tls']; timeoutMs: number }): Promise<TLSSocket> {
  return settle({ socket: tlsConnect({ socket, ...tlsOptionsFor({ host, tls }) }), ready: 'secureConnect', timeoutMs, what: `the STLS handshake with ${host}` });
}
