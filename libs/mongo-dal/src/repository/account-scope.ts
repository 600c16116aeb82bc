import type { Filter } from 'mongodb';
import type { AccountId } from '../ids';

/**
 * The tenant key every query of an account-scoped collection must carry (STYLE rule 7, like novu's
 * EnforceEnvOrOrgIds). A plain equality on purpose: `{ accountId: { $in: [...] } }` does not compile.
 */
export interface AccountScope {
  accountId: AccountId;
}

/** A MongoDB filter that cannot be written without the tenant key. */
export type ScopedFilter<TDoc> = Filter<TDoc> & AccountScope;
