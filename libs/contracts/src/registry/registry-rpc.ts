import { rpcSubject } from '../rpc';

/** Request/reply operations of account-registry, called by the api. */
const registry = (operation: string): string => rpcSubject({ service: 'account-registry', operation });

export const RegistryRpc = {
  createUser: registry('users.create'),
  getUser: registry('users.get'),
  listUsers: registry('users.list'),
  updateUser: registry('users.update'),
  deleteUser: registry('users.delete'),
  createGroup: registry('groups.create'),
  getGroup: registry('groups.get'),
  listGroups: registry('groups.list'),
  updateGroup: registry('groups.update'),
  deleteGroup: registry('groups.delete'),
  createAccount: registry('accounts.create'),
  getAccount: registry('accounts.get'),
  listAccounts: registry('accounts.list'),
  updateAccount: registry('accounts.update'),
  deleteAccount: registry('accounts.delete'),
  testAccount: registry('accounts.test'),
  testSettings: registry('accounts.test-settings'),
  listFolders: registry('accounts.folders'),
} as const;

/** Request/reply operations of the fetcher that the api (and account-registry, for re-enable) call for an account. */
const fetcher = (operation: string): string => rpcSubject({ service: 'fetcher', operation });

export const FetcherRpc = {
  getSyncStatus: fetcher('sync-status.get'),
  syncNow: fetcher('sync-status.sync-now'),
  setFolderCheckpoints: fetcher('sync-status.set-checkpoints'),
  /** A connection test of the saved settings succeeded: an account the fetcher disabled runs again. */
  reEnable: fetcher('sync-status.re-enable'),
} as const;
