import type { SecretBox } from '@mailbus/crypto';
import type { MailProtocol, MailServerSettings } from '@mailbus/mail-protocol';
import { secretContext, type AccountDocument } from './directory.documents';

/** The plaintext password of one side of an account, or '' when none is set. Only for the login itself. */
function openAccountSecret({ box, account, side }: { box: SecretBox; account: AccountDocument; side: 'receive' | 'send' }): string {
  const sealed = account[side]?.passwordSealed;
  return sealed ? box.open(sealed, secretContext({ accountId: account._id, side })) : '';
}

/**
 * The server and the opened credentials of an account's receiving (IMAP or POP3) or sending (SMTP)
 * side, for the login itself. Throws when the account has no such side.
 * @example new ImapFlow(imapFlowOptions(accountServerSettings({ box, account, side: 'receive' })))
 */
export function accountServerSettings({ box, account, side }: { box: SecretBox; account: AccountDocument; side: 'receive' | 'send' }): MailServerSettings {
  const settings = account[side];
  if (!settings) throw new Error(`account ${account._id} has no ${side} settings`);
  const protocol: MailProtocol = side === 'receive' && account.receive ? account.receive.protocol : 'smtp';
  return { protocol, host: settings.host, port: settings.port, security: settings.security, username: settings.username ?? '', password: openAccountSecret({ box, account, side }) };
}
