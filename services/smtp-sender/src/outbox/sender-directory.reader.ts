import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { DirectoryCollections, addressClaimId, type AccountDocument, type AddressClaimDocument, type UserDocument } from '@mailbus/directory';
import { addressKey, normalizeAddress } from '@mailbus/mail-protocol';
import { MONGO_DB } from '@mailbus/mongo-dal';
import type { SenderAccount, SenderUser } from '../selection';

/** message-router's collection of fetched messages, read here only for the References of a reply. */
const ROUTED_MESSAGES = 'messages';
/** RFC 5322 sets no limit; long threads are cut to the root and the latest ones, as mail clients do. */
const MAX_REFERENCES = 20;

/** The users and accounts sender selection reads, from account-registry's collections (read-only here). */
@Injectable()
export class SenderDirectoryReader {
  constructor(@Inject(MONGO_DB) private readonly db: Db) {}

  async user(id: string): Promise<SenderUser | undefined> {
    const user = await this.db.collection<UserDocument>(DirectoryCollections.users).findOne({ _id: id });
    return user ? { id: user._id, addresses: user.addresses, ...(user.defaultFrom ? { defaultFrom: user.defaultFrom } : {}), displayName: user.displayName, active: user.active } : undefined;
  }

  /**
   * The accounts a request may use: the one it names, else those the user owns or may send with, plus
   * the accounts whose address is one of `addresses` (the requested From, the default From) whoever
   * owns them: selection must see an account that a From names to refuse it (not_allowed) rather than
   * quietly fall through to another account of the user.
   */
  async candidates({ accountId, userId, addresses = [] }: { accountId?: string; userId?: string; addresses?: string[] }): Promise<SenderAccount[]> {
    const accounts = this.db.collection<AccountDocument>(DirectoryCollections.accounts);
    if (accountId) return (await accounts.find({ _id: accountId }).toArray()).map(toSenderAccount);
    if (!userId) return [];
    const [usable, named] = await Promise.all([accounts.find({ $or: [{ owners: userId }, { senders: userId }] }).toArray(), this.accountsWithAddress(addresses)]);
    const known = new Set(usable.map(({ _id }) => _id));
    return [...usable, ...named.filter(({ _id }) => !known.has(_id))].map(toSenderAccount);
  }

  /**
   * Accounts by address, through account-registry's address claims (`account:<addressKey>`, the unique
   * _id): an indexed read, where accounts have no index on their address. The account's own address is
   * what selection compares, so a stale claim picks nothing wrong.
   */
  private async accountsWithAddress(addresses: string[]): Promise<AccountDocument[]> {
    const claimIds = [...new Set(addresses.flatMap((address) => addressKeyOf(address) ?? []))].map((addressKey) => addressClaimId({ namespace: 'account', addressKey }));
    if (claimIds.length === 0) return [];
    const claims = await this.db.collection<AddressClaimDocument>(DirectoryCollections.addressClaims).find({ _id: { $in: claimIds }, 'owner.kind': 'account' }).toArray();
    if (claims.length === 0) return [];
    return this.db
      .collection<AccountDocument>(DirectoryCollections.accounts)
      .find({ _id: { $in: claims.map(({ owner }) => owner.id) } })
      .toArray();
  }

  /**
   * The References of a reply: the original's References plus its Message-ID, when mailbus stored the
   * original (else only the Message-ID). Read once when the request is accepted, so retries compose the same bytes.
   */
  async replyReferences(inReplyTo: string): Promise<string[]> {
    const bare = inReplyTo.replace(/^<|>$/g, '');
    const original = await this.db.collection<{ messageIdHeader?: string; references?: string[] }>(ROUTED_MESSAGES).findOne({ messageIdHeader: { $in: [bare, `<${bare}>`] } }, { projection: { references: 1 } });
    const chain = [...(original?.references ?? [])].map((reference) => reference.replace(/^<|>$/g, '')).filter((reference) => reference && reference !== bare);
    const kept = chain.length >= MAX_REFERENCES ? [chain[0]!, ...chain.slice(-(MAX_REFERENCES - 2))] : chain;
    return [...kept, bare].map((reference) => `<${reference}>`);
  }
}

/** What selection reads of an account. */
function toSenderAccount(account: AccountDocument): SenderAccount {
  return {
    id: account._id,
    email: account.email,
    owners: account.owners,
    senders: account.senders,
    serviceEnabled: account.serviceEnabled,
    createdAt: account.createdAt,
    ...(account.displayName ? { displayName: account.displayName } : {}),
    ...(account.replyTo ? { replyTo: account.replyTo } : {}),
    ...(account.deletedAt ? { deletedAt: account.deletedAt } : {}),
    ...(account.send ? { send: { enabled: account.send.enabled } } : {}),
    // Not for selection: the chosen account's signature goes into the mail composed on acceptance.
    ...(account.signature ? { signature: account.signature } : {}),
  };
}

/** The key account-registry claims an address by; none for an address that is not one (selection refuses it). */
function addressKeyOf(address: string): string | undefined {
  try {
    return addressKey(normalizeAddress(address));
  } catch {
    return undefined;
  }
}
