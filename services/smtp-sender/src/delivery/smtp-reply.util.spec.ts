import { describe, expect, it } from 'vitest';
import { parseSmtpReply } from './smtp-reply.util';

describe(parseSmtpReply.name, () => {
  it('should take a one-line reply apart when it has an enhanced status code', () => {
    expect(parseSmtpReply('550 5.1.1 No such user')).toEqual({ code: 550, enhancedStatus: '5.1.1', text: '550 5.1.1 No such user' });
  });

  it('should leave the enhanced status out when the server sent none', () => {
    expect(parseSmtpReply('452 Too many recipients')).toEqual({ code: 452, text: '452 Too many recipients' });
  });

  it('should join a multi-line reply into one line when the server wraps its text (Gmail)', () => {
    const gmail = [
      '550-5.1.1 The email account that you tried to reach does not exist. Please try',
      '550-5.1.1 double-checking the recipient’s email address for typos or',
      '550 5.1.1 unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser a1-20020a',
    ].join('\n');
    expect(parseSmtpReply(gmail)).toEqual({
      code: 550,
      enhancedStatus: '5.1.1',
      text: '550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking the recipient’s email address for typos or unnecessary spaces. https://support.google.com/mail/?p=NoSuchUser a1-20020a',
    });
  });

  it.each([
    ['no string', undefined],
    ['a greeting of another protocol', '* OK [CAPABILITY IMAP4rev1] Dovecot ready.'],
    ['a Node error message', 'connect ECONNREFUSED 127.0.0.1:25'],
    ['an HTTP-ish status in prose', 'upstream returned 503 Service Unavailable'],
  ])('should return undefined when given %s', (_case, response) => {
    expect(parseSmtpReply(response)).toBeUndefined();
  });

  it('should clip a very long reply', () => {
    expect(parseSmtpReply(`554 ${'x'.repeat(5_000)}`)?.text).toHaveLength(1_001);
  });
});
