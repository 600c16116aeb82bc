import { describe, expect, it } from 'vitest';
import { appendToSentDecision, selfFilingProviderOf } from './append-to-sent-decision.util';

describe(appendToSentDecision.name, () => {
  it.each([
    ['smtp.gmail.com', 'imap.gmail.com', 'google'],
    ['smtp-relay.gmail.com', 'imap.gmail.com', 'google'],
    ['aspmx.l.google.com', 'imap.gmail.com', 'google'],
    ['SMTP.GMAIL.COM.', 'imap.gmail.com', 'google'],
    ['smtp.office365.com', 'outlook.office365.com', 'microsoft'],
    ['smtp-mail.outlook.com', 'imap-mail.outlook.com', 'microsoft'],
    ['smtp.outlook.com', 'outlook.office365.com', 'microsoft'],
  ])('should skip the append when %s files sent mail into %s itself (auto)', (smtpHost, imapHost, provider) => {
    expect(appendToSentDecision({ setting: 'auto', smtpHost, imapHost })).toEqual({ append: false, reason: 'provider-files-sent-mail', provider });
  });

  it.each([
    ['mail.example.com', 'mail.example.com'],
    ['smtp.notgmail.com', 'imap.notgmail.com'],
    ['gmail.com.example.net', 'imap.example.net'],
    ['mail.example.com', 'imap.gmail.com'],
  ])('should append when %s does not file sent mail (auto)', (smtpHost, imapHost) => {
    expect(appendToSentDecision({ setting: 'auto', smtpHost, imapHost })).toEqual({ append: true, reason: 'provider-does-not-file' });
  });

  it('should append when the provider files the copy into another mailbox than the IMAP one', () => {
    expect(appendToSentDecision({ setting: 'auto', smtpHost: 'smtp.gmail.com', imapHost: 'imap.example.com' })).toEqual({ append: true, reason: 'different-mailbox' });
    expect(appendToSentDecision({ setting: 'auto', smtpHost: 'smtp.office365.com', imapHost: 'imap.gmail.com' })).toEqual({ append: true, reason: 'different-mailbox' });
  });

  it('should follow always and never whatever the provider', () => {
    expect(appendToSentDecision({ setting: 'always', smtpHost: 'smtp.gmail.com', imapHost: 'imap.gmail.com' })).toEqual({ append: true, reason: 'setting-always' });
    expect(appendToSentDecision({ setting: 'never', smtpHost: 'mail.example.com', imapHost: 'mail.example.com' })).toEqual({ append: false, reason: 'setting-never' });
  });
});

describe(selfFilingProviderOf.name, () => {
  it('should name the provider of a host and nothing for others', () => {
    expect(selfFilingProviderOf('smtp.live.com')).toBe('microsoft');
    expect(selfFilingProviderOf('google.com')).toBe('google');
    expect(selfFilingProviderOf('127.0.0.1')).toBeUndefined();
  });
});
