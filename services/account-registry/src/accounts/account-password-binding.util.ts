import type { AccountSettings } from '@mailbus/contracts';
import type { AccountDocument } from '@mailbus/directory';
import type { PasswordChange } from './account-merge.util';

type Side = 'receive' | 'send';

/** What decides where a side's password is sent, and as whom: the server and the login. */
const SERVER_IDENTITY_FIELDS = {
  receive: ['protocol', 'host', 'port', 'security', 'username'],
  send: ['host', 'port', 'security', 'username'],
} as const satisfies Record<Side, readonly string[]>;

export interface UnboundPassword {
  side: Side;
  /** The server identity fields that changed, e.g. `['host', 'security']`. */
  fields: string[];
}

/**
 * Passwords are write-only, so a kept password may go only to the server and login it was given for:
 * a PATCH that points a side elsewhere (another host, no TLS, another user) must give the password
 * again (or remove it), else an admin could move the stored one to a server of their own and read it
 * there. Compares the stored account and the merged settings, both normalised; a side without a
 * stored password has nothing to leak.
 * @returns per side whose kept password would move, the fields that moved it (empty when none)
 */
export function unboundPasswords({ before, after, passwords }: { before: Pick<AccountDocument, Side>; after: Pick<AccountSettings, Side>; passwords: Record<Side, PasswordChange> }): UnboundPassword[] {
  const unbound: UnboundPassword[] = [];
  for (const side of ['receive', 'send'] as const) {
    const stored = before[side];
    const merged = after[side];
    if (stored?.passwordSealed === undefined || !merged || passwords[side].action !== 'keep') continue;
    const fields = SERVER_IDENTITY_FIELDS[side].filter((field) => (stored as Record<string, unknown>)[field] !== (merged as Record<string, unknown>)[field]);
    if (fields.length > 0) unbound.push({ side, fields });
  }
  return unbound;
}

/** The 422 sentence for unboundPasswords' answer. */
export function describeUnboundPasswords(unbound: UnboundPassword[]): string {
  return unbound
    .map(({ side, fields }) => `${side}: changing ${fields.map((field) => `${side}.${field}`).join(', ')} needs ${side}.password again (or null to remove it); a stored password is only sent to the server and login it was given for`)
    .join('; ');
}
