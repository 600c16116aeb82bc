import { describe, expect, it } from 'vitest';
import { classifyConnectionError } from './classify-connection-error.util';

/** An Error with the own properties the library set on it. */
const error = (message: string, fields: Record<string, unknown> = {}): Error => Object.assign(new Error(message), fields);
const OPENSSL_WRONG_VERSION = '800CC83F617F0000:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/openssl/openssl/ssl/record/ssl3_record.c:350:\n';
const WRONG_VERSION_HINT = 'TLS handshake failed: wrong version number (the port does not speak TLS: try security "starttls" or "none")';
const IMAP_GREETING = '* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS AUTH=PLAIN AUTH=LOGIN] Dovecot (Debian) ready.';

// Printed from imapflow 2.10.2, nodemailer 10.6.0, Node 20 and our POP3 client against the test
// stack (Dovecot 2.3, smtp-server), a closed port, a silent port and a port that hangs up at once.
const REAL_ERRORS: [string, Error, string, string][] = [
  [
    'imapflow: wrong password (Dovecot)',
    error('Command failed', {
      response: '2 NO [AUTHENTICATIONFAILED] Authentication failed.',
      responseStatus: 'NO',
      executedCommand: '2 AUTHENTICATE PLAIN',
      responseText: 'Authentication failed.',
      serverResponseCode: 'AUTHENTICATIONFAILED',
      authenticationFailed: true,
    }),
    'auth',
    '[AUTHENTICATIONFAILED] Authentication failed.',
  ],
  [
    'imapflow: closed port',
    error('connect ECONNREFUSED 127.0.0.1:35137', { errno: -111, code: 'ECONNREFUSED', syscall: 'connect', address: '127.0.0.1', port: 35137 }),
    'connect',
    'connect ECONNREFUSED 127.0.0.1:35137',
  ],
  [
    'imapflow: implicit TLS against a plaintext port',
    error(OPENSSL_WRONG_VERSION, { library: 'SSL routines', reason: 'wrong version number', code: 'ERR_SSL_WRONG_VERSION_NUMBER' }),
    'tls',
    WRONG_VERSION_HINT,
  ],
  [
    'imapflow: unknown host',
    error('getaddrinfo ENOTFOUND no-such-host.invalid', { errno: -3008, code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname: 'no-such-host.invalid' }),
    'dns',
    'getaddrinfo ENOTFOUND no-such-host.invalid',
  ],
  ['imapflow: silent server (also STARTTLS against an implicit TLS port)', error('Socket timeout', { code: 'ETIMEOUT', _connId: 'e5oubco5n9iqvmogvopc' }), 'timeout', 'Socket timeout'],
  ['imapflow: self-signed certificate', error('self-signed certificate', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' }), 'tls', 'self-signed certificate'],
  ['imapflow: STARTTLS with an untrusted certificate', error('self-signed certificate', { code: 'DEPTH_ZERO_SELF_SIGNED_CERT', tlsFailed: true }), 'tls', 'self-signed certificate'],
  [
    'imapflow: certificate for another name',
    error("Hostname/IP does not match certificate's altnames: Host: example.com. is not in the cert's altnames: DNS:localhost, IP Address:127.0.0.1", {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      reason: "Host: example.com. is not in the cert's altnames: DNS:localhost, IP Address:127.0.0.1",
      host: 'example.com',
    }),
    'tls',
    "Hostname/IP does not match certificate's altnames: Host: example.com. is not in the cert's altnames: DNS:localhost, IP Address:127.0.0.1",
  ],
  ['imapflow: server hangs up after accepting', error('Unexpected close', { code: 'ClosedAfterConnectText' }), 'connect', 'Unexpected close'],
  [
    'imapflow: server hangs up during the TLS handshake',
    error('Client network socket disconnected before secure TLS connection was established', { code: 'ECONNRESET', host: '127.0.0.1', port: 45151 }),
    'connect',
    'Client network socket disconnected before secure TLS connection was established',
  ],
  ['imapflow: connection gone', error('Connection not available', { code: 'NoConnection' }), 'connect', 'Connection not available'],
  [
    'nodemailer: wrong password (smtp-server)',
    error('Invalid login: 535 5.7.8 Authentication credentials invalid', {
      code: 'EAUTH',
      response: '535 5.7.8 Authentication credentials invalid',
      responseCode: 535,
      permanent: true,
      command: 'AUTH PLAIN',
    }),
    'auth',
    '535 5.7.8 Authentication credentials invalid',
  ],
  [
    'nodemailer: closed port',
    error('connect ECONNREFUSED 127.0.0.1:35137', { errno: -111, code: 'ESOCKET', syscall: 'connect', originalCode: 'ECONNREFUSED', command: 'CONN' }),
    'connect',
    'connect ECONNREFUSED 127.0.0.1:35137',
  ],
  [
    'nodemailer: implicit TLS against a plaintext port',
    error(OPENSSL_WRONG_VERSION, { library: 'SSL routines', reason: 'wrong version number', code: 'ESOCKET', originalCode: 'ERR_SSL_WRONG_VERSION_NUMBER', command: 'CONN' }),
    'tls',
    WRONG_VERSION_HINT,
  ],
  [
    'nodemailer: unknown host',
    error('getaddrinfo ENOTFOUND no-such-host.invalid', { errno: -3008, code: 'EDNS', syscall: 'getaddrinfo', hostname: 'no-such-host.invalid', originalCode: 'ENOTFOUND', command: 'CONN' }),
    'dns',
    'getaddrinfo ENOTFOUND no-such-host.invalid',
  ],
  ['nodemailer: silent server', error('Greeting never received', { timeoutType: 'GREETING_TIMEOUT', code: 'ETIMEDOUT', command: 'CONN' }), 'timeout', 'Greeting never received'],
  ['nodemailer: self-signed certificate', error('self-signed certificate', { code: 'ESOCKET', originalCode: 'DEPTH_ZERO_SELF_SIGNED_CERT', command: 'CONN' }), 'tls', 'self-signed certificate'],
  ['nodemailer: server hangs up', error('Connection closed unexpectedly', { code: 'ECONNECTION', command: 'CONN' }), 'connect', 'Connection closed unexpectedly'],
  [
    'nodemailer: STARTTLS refused',
    error('Error upgrading connection with STARTTLS: 502 no', { code: 'ETLS', response: '502 no', responseCode: 502, permanent: true, command: 'STARTTLS' }),
    'tls',
    'STARTTLS failed: 502 no',
  ],
  [
    'nodemailer: an IMAP server on the SMTP port',
    error(`Invalid greeting. response=${IMAP_GREETING}: ${IMAP_GREETING}`, { code: 'EPROTOCOL', response: IMAP_GREETING, command: 'CONN' }),
    'protocol',
    IMAP_GREETING,
  ],
  [
    'POP3: wrong password (Dovecot)',
    error('PASS ***: -ERR [AUTH] Authentication failed.', { name: 'Pop3ResponseError', command: 'PASS ***', response: '-ERR [AUTH] Authentication failed.', errorClass: 'auth' }),
    'auth',
    '-ERR [AUTH] Authentication failed.',
  ],
  [
    'POP3: an IMAP server on the POP3 port',
    error(`greeting: ${IMAP_GREETING}`, { name: 'Pop3ResponseError', command: 'greeting', response: IMAP_GREETING, errorClass: 'protocol' }),
    'protocol',
    IMAP_GREETING,
  ],
  ['POP3: our deadline', error('POP3 127.0.0.1: no answer within 1500 ms', { name: 'MailConnectionError', errorClass: 'timeout' }), 'timeout', 'POP3 127.0.0.1: no answer within 1500 ms'],
];

describe(classifyConnectionError.name, () => {
  it.each(REAL_ERRORS)('should classify %s', (_case, sut, errorClass, message) => {
    expect(classifyConnectionError(sut)).toEqual({ errorClass, message });
  });

  it.each([
    ['an RFC 3206 [AUTH] answer without our class', error('x', { response: '-ERR [AUTH] Invalid login' }), 'auth'],
    ['SMTP 534 (web login required)', error('Invalid login', { code: 'EAUTH', responseCode: 534, response: '534-5.7.9 Application-specific password required.' }), 'auth'],
    ['a wrapped cause', error('wrapped', { cause: error('getaddrinfo EAI_AGAIN mail.example.com', { code: 'EAI_AGAIN' }) }), 'dns'],
    ["imapflow's _err", error('Connection failed', { _err: error('connect EHOSTUNREACH', { code: 'EHOSTUNREACH' }) }), 'connect'],
    ['a wrong version number message without code', error('write EPROTO 40B7:error:0A00010B:SSL routines::wrong version number'), 'tls'],
    ['an imapflow greeting timeout', error('Greeting never received', { code: 'GREETING_TIMEOUT' }), 'timeout'],
    ['a plain ETIMEDOUT', error('connect ETIMEDOUT 10.0.0.1:993', { code: 'ETIMEDOUT' }), 'timeout'],
    ['an unknown errorClass value', error('x', { errorClass: 'nonsense' }), 'protocol'],
    ['a thrown string', 'boom', 'protocol'],
  ])('should classify %s', (_case, sut, errorClass) => {
    expect(classifyConnectionError(sut).errorClass).toBe(errorClass);
  });

  /** A tagged NO to LOGIN/AUTHENTICATE as imapflow 2.10.2 throws it (commands/login.js, authenticate.js). */
  const imapLoginRefusal = ({ code, text }: { code?: string; text: string }): Error =>
    error('Command failed', {
      response: `2 NO ${code ? `[${code}] ` : ''}${text}`,
      responseStatus: 'NO',
      executedCommand: '2 AUTHENTICATE PLAIN',
      responseText: text,
      ...(code ? { serverResponseCode: code } : {}),
      authenticationFailed: true,
    });

  it.each([
    ['UNAVAILABLE', 'Temporary authentication failure. [host:2026-12-03 10:00:00]'],
    ['INUSE', 'Mailbox is locked by another session'],
    ['LIMIT', 'Too many simultaneous connections'],
    ['SERVERBUG', 'Internal error occurred. Refer to server log for more information.'],
  ])('should call an IMAP login refused with [%s] a temporary failure, not a credential verdict', (code, text) => {
    expect(classifyConnectionError(imapLoginRefusal({ code, text }))).toEqual({ errorClass: 'connect', message: `[${code}] ${text}` });
  });

  it.each([
    ['AUTHENTICATIONFAILED', 'Authentication failed.'],
    ['AUTHORIZATIONFAILED', 'Not authorized to use this mailbox'],
    ['EXPIRED', 'Password expired'],
    ['CONTACTADMIN', 'Account locked, contact the help desk'],
    [undefined, 'LOGIN failed.'],
  ])('should keep an IMAP login refused with [%s] as auth', (code, text) => {
    expect(classifyConnectionError(imapLoginRefusal({ code, text })).errorClass).toBe('auth');
  });

  it('should read only known text fields, so credentials in option objects never reach the message', () => {
    const sut = error('Invalid login', { code: 'EAUTH', auth: { user: 'anna', pass: 'Secret-Pa55' }, options: { password: 'Secret-Pa55' } });
    expect(JSON.stringify(classifyConnectionError(sut))).not.toContain('Secret-Pa55');
  });

  it('should clip a huge server text', () => {
    expect(classifyConnectionError(error('x', { response: 'y'.repeat(5_000) })).message.length).toBeLessThanOrEqual(501);
  });
});
