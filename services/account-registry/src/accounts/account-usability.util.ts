import type { AccountSettings } from '@mailbus/contracts';
import { portSecurityMismatch } from '@mailbus/mail-protocol';

/**
 * Why the stored settings could never work, as sentences for a 422 (empty when usable). Format
 * errors are the schema's job (400); this catches combinations that are each valid on their own.
 */
export function unusableReasons({ settings, passwordSet }: { settings: AccountSettings; passwordSet: { receive: boolean; send: boolean } }): string[] {
  const reasons: string[] = [];
  const { receive, send } = settings;
  if (receive) {
    if (receive.enabled && !passwordSet.receive) reasons.push('receive is enabled but has no password');
    if (receive.protocol === 'pop3' && (receive.folders.length !== 1 || receive.folders[0]?.toUpperCase() !== 'INBOX')) reasons.push('POP3 has a single mailbox: receive.folders must be ["INBOX"]');
    const mismatch = portSecurityMismatch({ protocol: receive.protocol, security: receive.security, port: receive.port });
    if (mismatch) reasons.push(`receive: ${mismatch}`);
  }
  if (send) {
    if (send.username && !passwordSet.send) reasons.push('send has a username but no password');
    if (!send.username && passwordSet.send) reasons.push('send has a password but no username');
    const mismatch = portSecurityMismatch({ protocol: 'smtp', security: send.security, port: send.port });
    if (mismatch) reasons.push(`send: ${mismatch}`);
  }
  return reasons;
}
