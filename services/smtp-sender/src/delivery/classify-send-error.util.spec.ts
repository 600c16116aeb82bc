import { describe, expect, it } from 'vitest';
import { classifySendError, type ClassifiedSendError } from './classify-send-error.util';

/** An Error with the own properties nodemailer set on it. */
const error = (message: string, fields: Record<string, unknown> = {}): Error => Object.assign(new Error(message), fields);
const rcptError = (recipient: string, response: string): Error =>
  error(`Recipient command failed: ${response}`, { code: 'EENVELOPE', response, responseCode: Number(response.slice(0, 3)), command: 'RCPT TO', recipient });

// Printed from nodemailer 10.6.0 (SMTP pool) against the repo's SMTP sink (smtp-server 3.21),
// a closed port and an unknown host; the rest built the way nodemailer's _formatError builds them.
const CASES: [string, unknown, ClassifiedSendError][] = [
  [
    'RCPT TO 550 for every recipient',
    error("Can't send mail - all recipients were rejected: 550 5.1.1 No such user", {
      code: 'EENVELOPE',
      response: '550 5.1.1 No such user',
      responseCode: 550,
      permanent: true,
      command: 'RCPT TO',
      rejected: ['reject-5xx@example.com'],
      rejectedErrors: [rcptError('reject-5xx@example.com', '550 5.1.1 No such user')],
    }),
    { kind: 'permanent', errorClass: 'rejected', smtpCode: 550, enhancedStatus: '5.1.1', smtpText: '550 5.1.1 No such user' },
  ],
  [
    'RCPT TO 451 for every recipient',
    error("Can't send mail - all recipients were rejected: 451 4.3.0 Try again later", {
      code: 'EENVELOPE',
      response: '451 4.3.0 Try again later',
      responseCode: 451,
      command: 'RCPT TO',
      rejected: ['defer-4xx@example.com'],
      rejectedErrors: [rcptError('defer-4xx@example.com', '451 4.3.0 Try again later')],
    }),
    { kind: 'retrying', errorClass: 'rejected', smtpCode: 451, enhancedStatus: '4.3.0', smtpText: '451 4.3.0 Try again later' },
  ],
  [
    'every recipient rejected, one only deferred (nodemailer reports the 4xx)',
    error("Can't send mail - all recipients were rejected: 451 4.3.0 Try again later", {
      code: 'EENVELOPE',
      response: '451 4.3.0 Try again later',
      responseCode: 451,
      command: 'RCPT TO',
      rejected: ['reject-5xx@example.com', 'defer-4xx@example.com'],
      rejectedErrors: [rcptError('reject-5xx@example.com', '550 5.1.1 No such user'), rcptError('defer-4xx@example.com', '451 4.3.0 Try again later')],
    }),
    { kind: 'retrying', errorClass: 'rejected', smtpCode: 451, enhancedStatus: '4.3.0', smtpText: '451 4.3.0 Try again later' },
  ],
  [
    'greylisting',
    rcptError('x@example.org', '450 4.2.0 <x@example.org>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/'),
    {
      kind: 'retrying',
      errorClass: 'rejected',
      smtpCode: 450,
      enhancedStatus: '4.2.0',
      smtpText: '450 4.2.0 <x@example.org>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/',
    },
  ],
  [
    'end of DATA 451',
    error('Message failed: 451 4.3.0 Try again later', { code: 'EMESSAGE', response: '451 4.3.0 Try again later', responseCode: 451, command: 'DATA' }),
    { kind: 'retrying', errorClass: 'rejected', smtpCode: 451, enhancedStatus: '4.3.0', smtpText: '451 4.3.0 Try again later' },
  ],
  [
    'end of DATA 554',
    error('Message failed: 554 5.6.0 Message content rejected', { code: 'EMESSAGE', response: '554 5.6.0 Message content rejected', responseCode: 554, command: 'DATA' }),
    { kind: 'permanent', errorClass: 'rejected', smtpCode: 554, enhancedStatus: '5.6.0', smtpText: '554 5.6.0 Message content rejected' },
  ],
  [
    'MAIL FROM 553',
    error('Mail command failed: 553 5.7.1 Sender address rejected', { code: 'EENVELOPE', response: '553 5.7.1 Sender address rejected', responseCode: 553, command: 'MAIL FROM' }),
    { kind: 'permanent', errorClass: 'rejected', smtpCode: 553, enhancedStatus: '5.7.1', smtpText: '553 5.7.1 Sender address rejected' },
  ],
  [
    '452 mailbox full',
    rcptError('full@example.org', '452 4.2.2 The email account that you tried to reach is over quota.'),
    { kind: 'retrying', errorClass: 'quota', smtpCode: 452, enhancedStatus: '4.2.2', smtpText: '452 4.2.2 The email account that you tried to reach is over quota.' },
  ],
  [
    '452 without enhanced status (RFC 5321 insufficient storage)',
    error('Message failed: 452 Insufficient system storage', { code: 'EMESSAGE', response: '452 Insufficient system storage', responseCode: 452, command: 'DATA' }),
    { kind: 'retrying', errorClass: 'quota', smtpCode: 452, smtpText: '452 Insufficient system storage' },
  ],
  [
    '452 4.5.3 too many recipients (not a quota)',
    rcptError('x@example.org', '452 4.5.3 Too many recipients'),
    { kind: 'retrying', errorClass: 'rejected', smtpCode: 452, enhancedStatus: '4.5.3', smtpText: '452 4.5.3 Too many recipients' },
  ],
  ['552 mailbox full', rcptError('full@example.org', '552 5.2.2 Mailbox full'), { kind: 'permanent', errorClass: 'quota', smtpCode: 552, enhancedStatus: '5.2.2', smtpText: '552 5.2.2 Mailbox full' }],
  [
    '503 bad sequence',
    error('Data command failed: 503 5.5.1 Error: need RCPT command', { code: 'EENVELOPE', response: '503 5.5.1 Error: need RCPT command', responseCode: 503, command: 'DATA' }),
    { kind: 'retrying', errorClass: 'protocol', smtpCode: 503, enhancedStatus: '5.5.1', smtpText: '503 5.5.1 Error: need RCPT command' },
  ],
  [
    '421 at the greeting',
    error('Connection closed unexpectedly: 421 4.7.0 mx.example.org Too many connections', {
      code: 'ECONNECTION',
      response: '421 4.7.0 mx.example.org Too many connections',
      responseCode: 421,
      command: 'CONN',
    }),
    { kind: 'retrying', errorClass: 'connect', smtpCode: 421, enhancedStatus: '4.7.0', smtpText: '421 4.7.0 mx.example.org Too many connections' },
  ],
  [
    '554 at the greeting (blocked client)',
    error('Invalid greeting. response=554 5.7.1 Access denied: 554 5.7.1 Access denied', { code: 'EPROTOCOL', response: '554 5.7.1 Access denied', responseCode: 554, command: 'CONN' }),
    { kind: 'permanent', errorClass: 'protocol', smtpCode: 554, enhancedStatus: '5.7.1', smtpText: '554 5.7.1 Access denied' },
  ],
  [
    '535 wrong password (smtp-server)',
    error('Invalid login: 535 5.7.8 Authentication credentials invalid', {
      code: 'EAUTH',
      response: '535 5.7.8 Authentication credentials invalid',
      responseCode: 535,
      permanent: true,
      command: 'AUTH PLAIN',
    }),
    { kind: 'retrying', errorClass: 'auth', smtpCode: 535, enhancedStatus: '5.7.8', smtpText: '535 5.7.8 Authentication credentials invalid' },
  ],
  [
    '530 authentication required at MAIL FROM',
    error('Mail command failed: 530 5.7.0 Authentication required', { code: 'EENVELOPE', response: '530 5.7.0 Authentication required', responseCode: 530, command: 'MAIL FROM' }),
    { kind: 'retrying', errorClass: 'auth', smtpCode: 530, enhancedStatus: '5.7.0', smtpText: '530 5.7.0 Authentication required' },
  ],
  ['no credentials configured', error('Missing credentials for "PLAIN"', { code: 'EAUTH', command: 'API' }), { kind: 'retrying', errorClass: 'auth', smtpText: 'Missing credentials for "PLAIN"' }],
  [
    'STARTTLS refused with 502',
    error('Error upgrading connection with STARTTLS: 502 5.5.1 not implemented', { code: 'ETLS', response: '502 5.5.1 not implemented', responseCode: 502, command: 'STARTTLS' }),
    { kind: 'retrying', errorClass: 'tls', smtpCode: 502, enhancedStatus: '5.5.1', smtpText: '502 5.5.1 not implemented' },
  ],
  [
    'self-signed certificate',
    error('self-signed certificate', { code: 'ESOCKET', originalCode: 'DEPTH_ZERO_SELF_SIGNED_CERT', command: 'CONN' }),
    { kind: 'retrying', errorClass: 'tls', smtpText: 'self-signed certificate' },
  ],
  [
    'closed port',
    error('connect ECONNREFUSED 127.0.0.1:44751', { errno: -111, code: 'ESOCKET', syscall: 'connect', address: '127.0.0.1', port: 44751, originalCode: 'ECONNREFUSED', command: 'CONN' }),
    { kind: 'retrying', errorClass: 'connect', smtpText: 'connect ECONNREFUSED 127.0.0.1:44751' },
  ],
  [
    'unknown host',
    error('getaddrinfo ENOTFOUND no-such-host.invalid', { errno: -3008, code: 'EDNS', syscall: 'getaddrinfo', hostname: 'no-such-host.invalid', originalCode: 'ENOTFOUND', command: 'CONN' }),
    { kind: 'retrying', errorClass: 'dns', smtpText: 'getaddrinfo ENOTFOUND no-such-host.invalid' },
  ],
  [
    'silent server',
    error('Greeting never received', { timeoutType: 'GREETING_TIMEOUT', code: 'ETIMEDOUT', command: 'CONN' }),
    { kind: 'retrying', errorClass: 'timeout', smtpText: 'Greeting never received' },
  ],
  [
    'a connection that never comes up',
    error('Connection timeout', { timeoutType: 'CONNECTION_TIMEOUT', code: 'ETIMEDOUT', command: 'CONN' }),
    { kind: 'retrying', errorClass: 'timeout', smtpText: 'Connection timeout' },
  ],
  [
    'server hangs up mid-session',
    error('Connection closed unexpectedly', { code: 'ECONNECTION', command: 'CONN' }),
    { kind: 'retrying', errorClass: 'connect', smtpText: 'Connection closed unexpectedly' },
  ],
  [
    'an IMAP server on the SMTP port',
    error('Invalid greeting. response=* OK Dovecot ready.: * OK Dovecot ready.', { code: 'EPROTOCOL', response: '* OK Dovecot ready.', command: 'CONN' }),
    { kind: 'retrying', errorClass: 'protocol', smtpText: 'Invalid greeting. response=* OK Dovecot ready.: * OK Dovecot ready.' },
  ],
  [
    'message larger than the SIZE the server advertised',
    error('Message size larger than allowed 10485760', { code: 'EMESSAGE', command: 'MAIL FROM' }),
    { kind: 'permanent', errorClass: 'rejected', smtpText: 'Message size larger than allowed 10485760' },
  ],
  [
    'an invalid recipient refused before anything was sent',
    error('Invalid recipient "a b@example.com"', { code: 'EENVELOPE', command: 'API' }),
    { kind: 'retrying', errorClass: 'rejected', smtpText: 'Invalid recipient "a b@example.com"' },
  ],
  ['an attachment stream that failed', error('read ECONNRESET', { code: 'ESTREAM', command: 'API' }), { kind: 'retrying', errorClass: 'unknown', smtpText: 'read ECONNRESET' }],
  [
    'an internal RPC timeout that looks like HTTP 503',
    error('503 Service Unavailable: blob store timed out'),
    { kind: 'retrying', errorClass: 'unknown', smtpText: '503 Service Unavailable: blob store timed out' },
  ],
  ['a thrown string', 'boom', { kind: 'retrying', errorClass: 'unknown', smtpText: 'boom' }],
];

describe(classifySendError.name, () => {
  it.each(CASES)('should classify %s', (_case, input, expected) => {
    expect(classifySendError(input)).toEqual(expected);
  });

  it('should not retry a session that went silent for the whole reply timeout: the server may have queued the mail, a retry would send it twice', () => {
    const silent = error('Timeout', { timeoutType: 'SOCKET_TIMEOUT', code: 'ETIMEDOUT', command: 'CONN' });
    const classified = classifySendError(silent);
    expect(classified).toMatchObject({ kind: 'permanent', errorClass: 'timeout' });
    expect(classified.smtpText).toMatch(/may have been delivered/);
    expect(classified).not.toHaveProperty('smtpCode');
    expect(classifySendError(new Error('send failed', { cause: silent }))).toMatchObject({ kind: 'permanent', errorClass: 'timeout' });
  });

  it('should not retry a connection that broke after the whole message was written and before any reply: the server may have queued it', () => {
    const dropped = error('Connection closed unexpectedly', { code: 'ECONNECTION', command: 'CONN' });

    const classified = classifySendError(dropped, { messageWritten: true });

    expect(classified).toMatchObject({ kind: 'permanent', smtpText: expect.stringMatching(/after the whole message was sent.*may have been delivered/) });
    expect(classified).not.toHaveProperty('smtpCode');
    expect(classifySendError(dropped)).toMatchObject({ kind: 'retrying', errorClass: 'connect' });
  });

  it('should classify a reply to a fully written message by the reply: a 4xx to the final dot is retried', () => {
    const deferred = error('Message failed: 451 4.3.0 Try again later', { code: 'EMESSAGE', response: '451 4.3.0 Try again later', responseCode: 451, command: 'DATA' });
    expect(classifySendError(deferred, { messageWritten: true })).toMatchObject({ kind: 'retrying', smtpCode: 451 });
  });

  it('should look through our own wrapper to the nodemailer error in cause when the wrapper has no SMTP fields', () => {
    const nodemailerError = error('Message failed: 554 5.6.0 Message content rejected', { code: 'EMESSAGE', response: '554 5.6.0 Message content rejected', responseCode: 554, command: 'DATA' });
    expect(classifySendError(new Error('send failed', { cause: nodemailerError }))).toMatchObject({ kind: 'permanent', smtpCode: 554 });
  });

  it('should keep a 5xx permanent only when it came as an SMTP reply, not as a bare responseCode on something else', () => {
    expect(classifySendError(error('Internal error', { statusCode: 500 }))).toMatchObject({ kind: 'retrying', errorClass: 'unknown' });
  });
});
