import { isDeepStrictEqual } from 'node:util';
import type { AccountDocument } from '@mailbus/directory';

const SETTING_GROUPS: Record<string, ReadonlyArray<keyof AccountDocument>> = {
  identity: ['name', 'email', 'displayName', 'replyTo', 'note'],
  owners: ['owners'],
  senders: ['senders'],
  serviceEnabled: ['serviceEnabled'],
  priority: ['priority'],
  signature: ['signature'],
  archiveBcc: ['archiveBcc'],
};

const withoutSecret = <T extends { passwordSealed?: string }>(side: T | undefined): Omit<T, 'passwordSealed'> | undefined => {
  if (!side) return undefined;
  const { passwordSealed: _sealed, ...rest } = side;
  return rest;
};

/**
 * Names of the settings that differ, for account.changed (names only, never values): consumers skip
 * changes they do not care about. A new password is `credentials`, not `receive` or `send`.
 */
export function changedSettings({ before, after }: { before: AccountDocument; after: AccountDocument }): string[] {
  const changed = Object.entries(SETTING_GROUPS)
    .filter(([, fields]) => fields.some((field) => !isDeepStrictEqual(before[field], after[field])))
    .map(([name]) => name);
  if (!isDeepStrictEqual(withoutSecret(before.receive), withoutSecret(after.receive))) changed.push('receive');
  if (!isDeepStrictEqual(withoutSecret(before.send), withoutSecret(after.send))) changed.push('send');
  if (before.receive?.passwordSealed !== after.receive?.passwordSealed || before.send?.passwordSealed !== after.send?.passwordSealed) changed.push('credentials');
  return changed;
}
