import type { SecretBox } from '@mailbus/crypto';
import { secretContext, type AccountDocument } from './directory.documents';

/** The plaintext password of one side of an account, or '' when none is set. Only for the login itself. */
export function openAccountSecret({ box, account, side }: { box: SecretBox; account: AccountDocument; side: 'receive' | 'send' }): string {
  const sealed = account[side]?.passwordSealed;
  return sealed ? box.open(sealed, secretContext({ accountId: account._id, side })) : '';
}
