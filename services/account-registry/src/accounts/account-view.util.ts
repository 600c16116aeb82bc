import type { AccountView, CreateAccountInput } from '@mailbus/contracts';
import type { AccountDocument } from '@mailbus/directory';

const BOOKKEEPING = ['_id', 'emailKey', 'revision', 'pendingPublish', 'lastChange', 'createdAt', 'updatedAt', 'deletedAt'] as const;

/** The stored settings as an account input without passwords: what a PATCH is merged into. */
export function storedSettings(account: AccountDocument): CreateAccountInput {
  const settings: Record<string, unknown> = { ...account };
  for (const field of BOOKKEEPING) delete settings[field];
  if (account.receive) {
    const { passwordSealed: _sealed, ...receive } = account.receive;
    settings.receive = receive;
  }
  if (account.send) {
    const { passwordSealed: _sealed, ...send } = account.send;
    settings.send = send;
  }
  return settings as CreateAccountInput;
}

/** Secrets are write-only: a view says whether one is set, never what it is. */
export function toAccountView(account: AccountDocument): AccountView {
  const settings = storedSettings(account) as Omit<AccountView, 'id' | 'revision' | 'createdAt' | 'updatedAt'>;
  return {
    id: account._id,
    revision: account.revision,
    ...settings,
    ...(account.receive ? { receive: { ...(settings.receive as object), passwordSet: account.receive.passwordSealed !== undefined } as AccountView['receive'] } : {}),
    ...(account.send ? { send: { ...(settings.send as object), passwordSet: account.send.passwordSealed !== undefined } as AccountView['send'] } : {}),
    createdAt: account.createdAt.toISOString(),
    updatedAt: account.updatedAt.toISOString(),
  };
}
