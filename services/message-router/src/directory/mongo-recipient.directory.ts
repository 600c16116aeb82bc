import { Inject, Injectable } from '@nestjs/common';
import type { Db } from 'mongodb';
import { addressClaimId, DirectoryCollections, type AddressClaimDocument, type GroupDocument } from '@mailbus/directory';
import { MONGO_DB } from '@mailbus/mongo-dal';
import type { RecipientDirectory, RecipientOwner } from '../routing';

/**
 * The routing table: account-registry's address claims (namespace `recipient`), read directly from
 * MongoDB in two queries per message (claims, then the groups among them). No cache: a user added a
 * minute ago must get their mail, and the claims are looked up by _id.
 */
@Injectable()
export class MongoRecipientDirectory implements RecipientDirectory {
  constructor(@Inject(MONGO_DB) private readonly db: Db) {}

  async findOwners(keys: string[]): Promise<Map<string, RecipientOwner>> {
    const owners = new Map<string, RecipientOwner>();
    if (keys.length === 0) return owners;
    const claims = await this.db
      .collection<AddressClaimDocument>(DirectoryCollections.addressClaims)
      .find({ _id: { $in: keys.map((addressKey) => addressClaimId({ namespace: 'recipient', addressKey })) } })
      .toArray();
    const groupIds = claims.filter(({ owner }) => owner.kind === 'group').map(({ owner }) => owner.id);
    const groups = groupIds.length === 0 ? [] : await this.db.collection<GroupDocument>(DirectoryCollections.groups).find({ _id: { $in: groupIds } }).toArray();
    const members = new Map(groups.map((group) => [group._id, group.members]));
    for (const { addressKey, owner } of claims) {
      if (owner.kind === 'account') continue;
      // A claim whose group is gone (deleted between the two reads) routes nobody; the owners' rule takes over.
      if (owner.kind === 'group' && !members.has(owner.id)) continue;
      owners.set(addressKey, { kind: owner.kind, id: owner.id, members: members.get(owner.id) ?? [], address: addressKey });
    }
    return owners;
  }
}
