import { describe, expect, it } from 'vitest';
import { Pop3ResponseError } from './pop3-response.error';
import { parseStatusLine } from './pop3-response.util';
import { Pop3UnsupportedError } from './pop3-unsupported.error';

/** The error the client raises for a status line it did not expect (see Pop3Client.readStatus). */
const errorFor = (line: string): Pop3ResponseError => new Pop3ResponseError({ command: 'RETR 1', response: parseStatusLine(line).line });

describe(Pop3ResponseError.name, () => {
  it.each([['-ERR Message 1 expunged.\r\n'], ['-ERR [SYS/TEMP] Internal error occurred. Refer to server log for more information.\r\n'], ['-ERR\r\n']])(
    'should count %j as a refusal by the server',
    (line) => {
      expect(errorFor(line).refusedByServer).toBe(true);
    },
  );

  it.each([['* OK IMAP4rev1 ready\r\n'], ['-ERRATIC\r\n'], ['+OK\r\n']])('should not count %j as a refusal', (line) => {
    expect(errorFor(line).refusedByServer).toBe(false);
  });

  it('should not count a malformed answer as a refusal', () => {
    expect(new Pop3ResponseError({ command: 'UIDL', response: 'malformed answer: x y z' }).refusedByServer).toBe(false);
  });

  it('should keep the refusal when UIDL is reported as unsupported', () => {
    const sut = new Pop3UnsupportedError({ command: 'UIDL', response: parseStatusLine('-ERR Unknown command: UIDL\r\n').line });
    expect(sut).toBeInstanceOf(Pop3ResponseError);
    expect(sut.refusedByServer).toBe(true);
    expect(sut.message).toBe('the POP3 server does not support UIDL: -ERR Unknown command: UIDL');
  });
});
