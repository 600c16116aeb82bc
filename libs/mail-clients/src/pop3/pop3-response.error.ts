import type { ConnectionErrorClass } from '@mailbus/mail-protocol';

/**
 * The server answered a command with `-ERR` (or with something that is not POP3). `command` never
 * shows a credential (`PASS ***`); `response` is the server's status line as sent, e.g.
 * `-ERR [AUTH] Authentication failed.`. `errorClass` is what the client knew from the context:
 * `auth` for a refused login, `tls` for a refused STLS, otherwise `protocol`.
 */
export class Pop3ResponseError extends Error {
  override readonly name: string = 'Pop3ResponseError';
  readonly command: string;
  readonly response: string;
  readonly errorClass: ConnectionErrorClass;

  constructor({ command, response, errorClass = 'protocol', message = `${command}: ${response}` }: { command: string; response: string; errorClass?: ConnectionErrorClass; message?: string }) {
    super(message);
    this.command = command;
    this.response = response;
    this.errorClass = errorClass;
  }

  /**
   * The server answered this command with `-ERR`: it refused it and the session goes on. False for
   * an answer that is not POP3 or is malformed, after which the session cannot be trusted. The
   * fetcher skips a message whose RETR is refused (deleted by another client, a broken file on the
   * server) and fails the run otherwise.
   */
  get refusedByServer(): boolean {
    return /^-ERR(\s|$)/.test(this.response);
  }
}
