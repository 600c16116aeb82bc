import type { CreateAccountInput, UpdateAccountInput } from '@mailbus/contracts';

/** What a write does to one side's password: keep the sealed one, set a new one, or remove it. */
export type PasswordChange = { action: 'keep' } | { action: 'set'; password: string } | { action: 'remove' };

export interface MergedAccount {
  /** The full settings after the patch, without passwords, to be validated like a new account. */
  settings: CreateAccountInput;
  passwords: { receive: PasswordChange; send: PasswordChange };
}

type Loose = Record<string, unknown>;

const passwordChange = (value: string | null | undefined): PasswordChange => (value === undefined ? { action: 'keep' } : value === null ? { action: 'remove' } : { action: 'set', password: value });

/** Applies one level of a patch: `null` removes a field, `undefined` keeps it. */
function mergeLevel(current: Loose, patch: Loose): Loose {
  const merged: Loose = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/**
 * Merges a PATCH into the stored settings (which carry no passwords): top-level fields are replaced,
 * `receive`, `send` and `signature` merge field by field, arrays are replaced, `null` removes. A side
 * that did not exist before is taken as given, so it must then be complete.
 * @example mergeAccountPatch({ current, patch: { receive: { password: 'new' } } }).passwords.receive // { action: 'set', … }
 */
export function mergeAccountPatch({ current, patch }: { current: CreateAccountInput; patch: UpdateAccountInput }): MergedAccount {
  const { receive, send, signature, ...topLevel } = patch;
  const settings = mergeLevel(current as Loose, topLevel as Loose);
  const passwords = { receive: passwordChange(receive?.password), send: passwordChange(send?.password) };
  for (const [side, sidePatch] of [['receive', receive], ['send', send]] as const) {
    if (sidePatch === null) {
      delete settings[side];
      passwords[side] = { action: 'remove' };
    } else if (sidePatch !== undefined) {
      const { password: _password, ...withoutPassword } = sidePatch;
      settings[side] = mergeLevel((current[side] as Loose | undefined) ?? {}, withoutPassword as Loose);
    }
  }
  if (signature) settings.signature = mergeLevel((current.signature as Loose | undefined) ?? {}, signature as Loose);
  return { settings: settings as CreateAccountInput, passwords };
}
