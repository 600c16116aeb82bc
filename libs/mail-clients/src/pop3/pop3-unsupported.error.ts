import { Pop3ResponseError } from './pop3-response.error';

/** The server does not implement an optional command we need (UIDL: without it nothing tells messages apart across sessions). */
export class Pop3UnsupportedError extends Pop3ResponseError {
  override readonly name: string = 'Pop3UnsupportedError';

  constructor({ command, response }: { command: string; response: string }) {
    super({ command, response, errorClass: 'protocol', message: `the POP3 server does not support ${command}: ${response}` });
  }
}
