import type { AccountSettings, ReceiveSettings, SendSettings } from '@mailbus/contracts';

/** Addresses are stored normalised (lower-case punycode domain) and keyed fully lower-cased. */
export interface UserDocument {
  _id: string;
  displayName: string;
  addresses: string[];
  /** addressKey of each address, in the same order. */
  addressKeys: string[];
  defaultFrom?: string;
  active: boolean;
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

export interface GroupDocument {
  _id: string;
  address: string;
  addressKey: string;
  name?: string;
  members: string[];
  revision: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Who owns an address. `_id` is `<namespace>:<addressKey>`, so the unique _id index makes an address
 * belong to one owner without a transaction: `recipient` addresses belong to one user or group (the
 * routing table of message-router), `account` addresses to one account.
 */
export interface AddressClaimDocument {
  _id: string;
  namespace: AddressNamespace;
  addressKey: string;
  owner: { kind: 'user' | 'group' | 'account'; id: string };
  claimedAt: Date;
}
export type AddressNamespace = 'recipient' | 'account';

export const addressClaimId = ({ namespace, addressKey }: { namespace: AddressNamespace; addressKey: string }): string => `${namespace}:${addressKey}`;

/** A secret sealed by SecretBox (`mb1.<kid>.…`); opened with the context `account:<id>:<side>.password`. */
export type SealedSecret = string;

export const secretContext = ({ accountId, side }: { accountId: string; side: 'receive' | 'send' }): string => `account:${accountId}:${side}.password`;

/** createJunkFolder is optional: accounts stored before it existed lack it (true then). */
export type StoredReceiveSettings = Omit<ReceiveSettings, 'password' | 'createJunkFolder'> & { createJunkFolder?: boolean; passwordSealed?: SealedSecret };
export type StoredSendSettings = Omit<SendSettings, 'password'> & { passwordSealed?: SealedSecret };

export type AccountChangeKind = 'created' | 'updated' | 'deleted';

/**
 * An account: the settings of SPEC §4 with secrets sealed. Deleted accounts stay as tombstones
 * (settings without secrets, `deletedAt` set) so that consumers can tell deleted from unknown and
 * the deletion event can be republished after a crash.
 */
export interface AccountDocument extends Omit<AccountSettings, 'receive' | 'send'> {
  _id: string;
  emailKey: string;
  receive?: StoredReceiveSettings;
  send?: StoredSendSettings;
  /** +1 per change; events carry it so consumers can drop stale ones. */
  revision: number;
  /** Set with every change and cleared once its account.changed event is in JetStream (outbox pattern). */
  pendingPublish: boolean;
  lastChange: { kind: AccountChangeKind; settings: string[] };
  createdAt: Date;
  updatedAt: Date;
  deletedAt?: Date;
}
