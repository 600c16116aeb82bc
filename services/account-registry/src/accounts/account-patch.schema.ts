import { z } from 'zod';
import { activeHoursSchema, multidropSchema, updateAccountSchema } from '@mailbus/contracts';

/** `multidrop: true` is short for `{ enabled: true }`, as on create. */
const multidropPatchSchema = z.preprocess((value) => (typeof value === 'boolean' ? { enabled: value } : value), multidropSchema.innerType().partial());

const receivePatchSchema = updateAccountSchema.shape.receive.unwrap().unwrap().extend({
  activeHours: activeHoursSchema.innerType().partial().nullable().optional(),
  multidrop: multidropPatchSchema.optional(),
});

/**
 * A PATCH as account-registry merges it. The contract's update schema fills the defaults of the nested
 * objects (`receive.multidrop`, `receive.activeHours`) into a partial patch, and the merge would take
 * them for values the admin gave (multidrop switched off by `{ skip: 2 }`). Here those objects stay
 * partial; the merged account is parsed with createAccountSchema, which fills defaults where nothing is
 * stored. Format checks are the contract's.
 */
export const accountPatchSchema = updateAccountSchema.extend({ receive: receivePatchSchema.nullable().optional() });
export type AccountPatch = z.output<typeof accountPatchSchema>;
