import { Injectable } from '@nestjs/common';
import { createGroupSchema, updateGroupSchema, type GroupView, type ListQuery, type Page } from '@mailbus/contracts';
import type { GroupDocument } from '@mailbus/directory';
import { normalizeRecipientAddress } from '@mailbus/mail-protocol';
import { newId } from '@mailbus/mongo-dal';
import { RpcDomainError, parseRpcInput } from '@mailbus/service-runtime';
import { AddressClaims } from '../addresses/address-claims';
import { normalizeAddressField } from '../addresses/normalize-address.util';
import { withRevisionRetry } from '../revision-conflict.util';
import { assertUsersExist } from '../users/known-users.util';
import { UsersRepository } from '../users/users.repository';
import { GroupsRepository } from './groups.repository';
import { replyPage } from '../reply-page.util';

const owner = (id: string) => ({ kind: 'group' as const, id });
const unique = (ids: string[]): string[] => [...new Set(ids)];

const toGroupView = (group: GroupDocument): GroupView => ({
  id: group._id,
  address: group.address,
  ...(group.name ? { name: group.name } : {}),
  members: group.members,
  createdAt: group.createdAt.toISOString(),
  updatedAt: group.updatedAt.toISOString(),
});

/** A group maps one address to several users; the address is claimed like a user's. */
@Injectable()
export class GroupsService {
  constructor(
    private readonly groups: GroupsRepository,
    private readonly users: UsersRepository,
    private readonly claims: AddressClaims,
  ) {}

  async create(input: unknown): Promise<GroupView> {
    const request = parseRpcInput(createGroupSchema, input);
    const { address, key } = normalizeAddressField({ value: request.address, path: 'address', normalize: normalizeRecipientAddress });
    await assertUsersExist({ users: this.users, ids: request.members, path: 'members' });
    const id = newId();
    const now = new Date();
    const group: GroupDocument = { _id: id, address, addressKey: key, ...(request.name ? { name: request.name } : {}), members: unique(request.members), revision: 1, createdAt: now, updatedAt: now };
    await this.claims.claimAll({ namespace: 'recipient', addressKeys: [key], owner: owner(id) });
    try {
      await this.groups.insert(group);
    } catch (error) {
      await this.claims.releaseAll({ namespace: 'recipient', addressKeys: [key], owner: owner(id) });
      throw error;
    }
    return toGroupView(group);
  }

  async get(id: string): Promise<GroupView> {
    return toGroupView(await this.load(id));
  }

  async list(query: ListQuery): Promise<Page<GroupView>> {
    return replyPage({ documents: await this.groups.page(query), limit: query.limit, view: toGroupView });
  }

  async update(id: string, input: unknown): Promise<GroupView> {
    const patch = parseRpcInput(updateGroupSchema, input);
    const address = patch.address ? normalizeAddressField({ value: patch.address, path: 'address', normalize: normalizeRecipientAddress }) : undefined;
    if (patch.members) await assertUsersExist({ users: this.users, ids: patch.members, path: 'members' });
    return withRevisionRetry({
      what: `group ${id}`,
      attempt: async () => {
        const current = await this.load(id);
        const next: GroupDocument = { ...current, revision: current.revision + 1, updatedAt: new Date() };
        if (patch.name !== undefined) next.name = patch.name;
        if (patch.members) next.members = unique(patch.members);
        if (address) Object.assign(next, { address: address.address, addressKey: address.key });
        const changedAddress = next.addressKey !== current.addressKey;
        const claimed = changedAddress ? await this.claims.claimAll({ namespace: 'recipient', addressKeys: [next.addressKey], owner: owner(id) }) : [];
        if (!(await this.groups.replaceIfRevision({ group: next, revision: current.revision }))) {
          await this.claims.releaseAll({ namespace: 'recipient', addressKeys: claimed, owner: owner(id) });
          return undefined;
        }
        if (changedAddress) await this.claims.releaseAll({ namespace: 'recipient', addressKeys: [current.addressKey], owner: owner(id) });
        return toGroupView(next);
      },
    });
  }

  async delete(id: string): Promise<void> {
    const group = await this.load(id);
    await this.groups.delete(id);
    await this.claims.releaseAll({ namespace: 'recipient', addressKeys: [group.addressKey], owner: owner(id) });
  }

  private async load(id: string): Promise<GroupDocument> {
    const group = await this.groups.findById(id);
    if (!group) throw RpcDomainError.notFound(`no group with id ${id}`);
    return group;
  }
}
