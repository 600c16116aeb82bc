import { Injectable } from '@nestjs/common';
import { createUserSchema, updateUserSchema, type ListQuery, type Page, type UserView } from '@mailbus/contracts';
import type { UserDocument } from '@mailbus/directory';
import { normalizeRecipientAddress } from '@mailbus/mail-protocol';
import { newId } from '@mailbus/mongo-dal';
import { RpcDomainError, parseRpcInput } from '@mailbus/service-runtime';
import { AddressClaims } from '../addresses/address-claims';
import { normalizeAddressField, normalizeAddressList } from '../addresses/normalize-address.util';
import { withRevisionRetry } from '../revision-conflict.util';
import { UserReferences } from './user-references';
import { UsersRepository } from './users.repository';
import { toUserView } from './user-view.util';
import { replyPage } from '../reply-page.util';

const owner = (id: string) => ({ kind: 'user' as const, id });

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly claims: AddressClaims,
    private readonly references: UserReferences,
  ) {}

  async create(input: unknown): Promise<UserView> {
    const request = parseRpcInput(createUserSchema, input);
    const addresses = normalizeAddressList({ values: request.addresses, path: 'addresses', normalize: normalizeRecipientAddress });
    const id = newId();
    const now = new Date();
    const user: UserDocument = {
      _id: id,
      displayName: request.displayName,
      addresses: addresses.map(({ address }) => address),
      addressKeys: addresses.map(({ key }) => key),
      ...(request.defaultFrom ? { defaultFrom: normalizeAddressField({ value: request.defaultFrom, path: 'defaultFrom' }).address } : {}),
      active: request.active,
      revision: 1,
      createdAt: now,
      updatedAt: now,
    };
    await this.claims.claimAll({ namespace: 'recipient', addressKeys: user.addressKeys, owner: owner(id) });
    try {
      await this.users.insert(user);
    } catch (error) {
      await this.claims.releaseAll({ namespace: 'recipient', addressKeys: user.addressKeys, owner: owner(id) });
      throw error;
    }
    return toUserView(user);
  }

  async get(id: string): Promise<UserView> {
    return toUserView(await this.load(id));
  }

  async list(query: ListQuery): Promise<Page<UserView>> {
    return replyPage({ documents: await this.users.page(query), limit: query.limit, view: toUserView });
  }

  async update(id: string, input: unknown): Promise<UserView> {
    const patch = parseRpcInput(updateUserSchema, input);
    const addresses = patch.addresses && normalizeAddressList({ values: patch.addresses, path: 'addresses', normalize: normalizeRecipientAddress });
    const defaultFrom = patch.defaultFrom && normalizeAddressField({ value: patch.defaultFrom, path: 'defaultFrom' }).address;
    return withRevisionRetry({
      what: `user ${id}`,
      attempt: async () => {
        const current = await this.load(id);
        const next: UserDocument = { ...current, revision: current.revision + 1, updatedAt: new Date() };
        if (patch.displayName !== undefined) next.displayName = patch.displayName;
        if (patch.active !== undefined) next.active = patch.active;
        if (patch.defaultFrom === null) delete next.defaultFrom;
        else if (defaultFrom) next.defaultFrom = defaultFrom;
        if (addresses) {
          next.addresses = addresses.map(({ address }) => address);
          next.addressKeys = addresses.map(({ key }) => key);
        }
        const added = next.addressKeys.filter((key) => !current.addressKeys.includes(key));
        const removed = current.addressKeys.filter((key) => !next.addressKeys.includes(key));
        const claimed = await this.claims.claimAll({ namespace: 'recipient', addressKeys: added, owner: owner(id) });
        if (!(await this.users.replaceIfRevision({ user: next, revision: current.revision }))) {
          await this.claims.releaseAll({ namespace: 'recipient', addressKeys: claimed, owner: owner(id) });
          return undefined;
        }
        await this.claims.releaseAll({ namespace: 'recipient', addressKeys: removed, owner: owner(id) });
        return toUserView(next);
      },
    });
  }

  /**
   * Refused while the user owns accounts; drops the user from groups and from accounts' senders.
   * The user's address claims go before the user itself: message-router routes by the claims, so
   * claims left behind by a failure would keep delivering to a deleted user, and a retried DELETE
   * (404 once the user is gone) could no longer release them. Every step is safe to repeat.
   */
  async delete(id: string): Promise<void> {
    const user = await this.load(id);
    const owned = await this.references.accountsOwnedBy(id);
    if (owned.length > 0) throw RpcDomainError.conflict(`user ${id} owns accounts ${owned.join(', ')}: give them another owner or delete them first`);
    await this.references.removeEverywhere(id);
    await this.claims.releaseAll({ namespace: 'recipient', addressKeys: user.addressKeys, owner: owner(id) });
    await this.users.delete(id);
  }

  private async load(id: string): Promise<UserDocument> {
    const user = await this.users.findById(id);
    if (!user) throw RpcDomainError.notFound(`no user with id ${id}`);
    return user;
  }
}
