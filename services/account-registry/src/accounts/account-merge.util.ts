import type { CreateAccountInput, UpdateAccountRequest } from '@mailbus/contracts';

/** What a write does to one side's password: keep the sealed one, set a new one, or remove it. */
export type PasswordChange = { action: 'keep' } | { action: 'set'; password: string } | { action: 'remove' };

export interface MergedAccount {
  /** The full settings after the patch, without passwords, to be validated like a new account. */
  settings: CreateAccountInput;
  passwords: { receive: PasswordChange; send: PasswordChange };
}

type Loose = Record<string, unknown>;

const passwordChange = (value: string | null | undefined): PasswordChange => (value === undefined ? { action: 'keep' } : value === null ? { action: 'remove' } : { action: 'set', password: value });

const isPlainObject = (value: unknown): value is Loose => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Applies a patch at every depth: objects merge field by field (into nothing when none is stored),
 * arrays and other values replace, `null` removes a field, `undefined` keeps it.
 */
function mergeDeep(current: Loose, patch: Loose): Loose {
  const merged: Loose = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (isPlainObject(value)) merged[key] = mergeDeep(isPlainObject(current[key]) ? current[key] : {}, value);
    else if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/**
 * Merges a PATCH into the stored settings (which carry no passwords): nested objects (`receive`,
 * `send`, `signature`, `receive.multidrop`, `receive.activeHours`) merge field by field at any depth,
 * arrays are replaced, `null` removes. What the stored account lacks is taken as given, so it must
 * then be complete.
 * @example mergeAccountPatch({ current, patch: { receive: { password: 'new' } } }).passwords.receive // { action: 'set', … }
 */
export function mergeAccountPatch({ current, patch }: { current: CreateAccountInput; patch: UpdateAccountRequest }): MergedAccount {
  const { receive, send, ...topLevel } = patch;
  const passwords = { receive: passwordChange(receive === null ? null : receive?.password), send: passwordChange(send === null ? null : send?.password) };
  const withoutPasswords: Loose = { ...topLevel };
  if (receive !== undefined) withoutPasswords.receive = receive && withoutPassword(receive);
  if (send !== undefined) withoutPasswords.send = send && withoutPassword(send);
  return { settings: mergeDeep(current as Loose, withoutPasswords) as CreateAccountInput, passwords };
}

function withoutPassword<Side extends { password?: unknown }>(side: Side): Omit<Side, 'password'> {
  const { password: _password, ...rest } = side;
  return rest;
}
