/** Per account (and per message, the message's choice winning): `auto` knows the providers that keep their own copy. */
export const APPEND_TO_SENT_SETTINGS = ['auto', 'always', 'never'] as const;
export type AppendToSentSetting = (typeof APPEND_TO_SENT_SETTINGS)[number];

/** Providers that file every message sent through their SMTP server into the account's Sent folder themselves. */
export type SelfFilingProvider = 'google' | 'microsoft';

/**
 * Hosts (the domain itself or any name under it) of those providers, for SMTP and IMAP alike:
 * smtp.gmail.com, smtp-relay.gmail.com, imap.gmail.com, *.google.com; smtp.office365.com,
 * outlook.office365.com, smtp-mail.outlook.com, imap-mail.outlook.com, and smtp.live.com (the old
 * Outlook.com name).
 */
export const SELF_FILING_PROVIDER_DOMAINS: Readonly<Record<SelfFilingProvider, readonly string[]>> = {
  google: ['gmail.com', 'googlemail.com', 'google.com'],
  microsoft: ['office365.com', 'outlook.com', 'live.com'],
};
