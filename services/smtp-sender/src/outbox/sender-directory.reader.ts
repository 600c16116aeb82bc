import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { DirectoryCollections, type AccountDocument, type UserDocument } from '@mailbus/directory';
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

  /** The accounts a request may use: the one it names, else those the user owns or may send with. */
  async candidates({ accountId, userId }: { accountId?: string; userId?: string }): Promise<SenderAccount[]> {
    const accounts = this.db.collection<AccountDocument>(DirectoryCollections.accounts);
    const found = accountId ? await accounts.find({ _id: accountId }).toArray() : userId ? await accounts.find({ $or: [{ owners: userId }, { senders: userId }] }).toArray() : [];
    return found.map((account) => ({
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
    }));
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
