import { domainToASCII } from 'node:url';
import { isIP } from 'node:net';
import type { AccountSettings } from '@mailbus/contracts';
import { RpcDomainError } from '@mailbus/service-runtime';
import { normalizeAddressField } from '../addresses/normalize-address.util';

/** Host names compare and connect in lower-case punycode; IP literals stay as they are. */
function normalizeHost({ value, path }: { value: string; path: string }): string {
  const bare = value.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare)) return bare;
  const ascii = domainToASCII(value.toLowerCase());
  if (!ascii) throw RpcDomainError.invalid([{ path, message: 'is not a valid host name' }]);
  return ascii;
}

/**
 * INBOX names the same mailbox in any letter case (RFC 3501 §5.1), and the fetcher knows it by this
 * spelling; a folder listed twice that way is listed once.
 */
function canonicalFolders(folders: string[]): string[] {
  return [...new Set(folders.map((folder) => (folder.toUpperCase() === 'INBOX' ? 'INBOX' : folder)))];
}

/** Addresses, hosts and folders in their stored form, plus the key the account's address is claimed under. */
export function normalizeAccountSettings(settings: AccountSettings): { settings: AccountSettings; emailKey: string } {
  const email = normalizeAddressField({ value: settings.email, path: 'email' });
  const normalized: AccountSettings = { ...settings, email: email.address };
  if (settings.replyTo) normalized.replyTo = normalizeAddressField({ value: settings.replyTo, path: 'replyTo' }).address;
  if (settings.archiveBcc) normalized.archiveBcc = normalizeAddressField({ value: settings.archiveBcc, path: 'archiveBcc' }).address;
  if (settings.receive) normalized.receive = { ...settings.receive, host: normalizeHost({ value: settings.receive.host, path: 'receive.host' }), folders: canonicalFolders(settings.receive.folders) };
  if (settings.send) normalized.send = { ...settings.send, host: normalizeHost({ value: settings.send.host, path: 'send.host' }) };
  normalized.owners = [...new Set(settings.owners)];
  normalized.senders = [...new Set(settings.senders)];
  return { settings: normalized, emailKey: email.key };
}
