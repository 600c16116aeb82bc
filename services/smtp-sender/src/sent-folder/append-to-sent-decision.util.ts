import { SELF_FILING_PROVIDER_DOMAINS, type AppendToSentSetting, type SelfFilingProvider } from './append-to-sent.constants';

export type AppendToSentDecision =
  | { append: true; reason: 'setting-always' | 'provider-does-not-file' | 'different-mailbox' }
  | { append: false; reason: 'setting-never' }
  | { append: false; reason: 'provider-files-sent-mail'; provider: SelfFilingProvider };

const normalizeHost = (host: string): string => host.trim().toLowerCase().replace(/\.$/, '');

/** The self-filing provider a host belongs to, if any. */
export function selfFilingProviderOf(host: string): SelfFilingProvider | undefined {
  const name = normalizeHost(host);
  const entries = Object.entries(SELF_FILING_PROVIDER_DOMAINS) as [SelfFilingProvider, readonly string[]][];
  return entries.find(([, domains]) => domains.some((domain) => name === domain || name.endsWith(`.${domain}`)))?.[0];
}

/**
 * Whether to APPEND the sent bytes to the account's Sent folder over IMAP (rule 26). Gmail / Google
 * Workspace and Microsoft 365 / Outlook.com file mail sent through their SMTP servers themselves;
 * appending too gives users two copies. `auto` skips the append only when the SMTP server and the
 * IMAP mailbox belong to the same such provider: the provider's copy lands in the account it
 * authenticated, so with SMTP through Gmail and IMAP elsewhere, the IMAP mailbox still needs one.
 * @example appendToSentDecision({ setting: 'auto', smtpHost: 'smtp.gmail.com', imapHost: 'imap.gmail.com' }) // { append: false, reason: 'provider-files-sent-mail', provider: 'google' }
 */
export function appendToSentDecision({ setting, smtpHost, imapHost }: { setting: AppendToSentSetting; smtpHost: string; imapHost: string }): AppendToSentDecision {
  if (setting === 'always') return { append: true, reason: 'setting-always' };
  if (setting === 'never') return { append: false, reason: 'setting-never' };
  const provider = selfFilingProviderOf(smtpHost);
  if (!provider) return { append: true, reason: 'provider-does-not-file' };
  if (selfFilingProviderOf(imapHost) !== provider) return { append: true, reason: 'different-mailbox' };
  return { append: false, reason: 'provider-files-sent-mail', provider };
}
