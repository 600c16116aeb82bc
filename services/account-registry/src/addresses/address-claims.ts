import { Inject, Injectable } from '@nestjs/common';
import type { Collection, Db } from 'mongodb';
import { MONGO_DB, isDuplicateKeyError, type IndexSpec } from '@mailbus/mongo-dal';
import { DirectoryCollections, addressClaimId, type AccountDocument, type AddressClaimDocument, type AddressNamespace, type GroupDocument, type UserDocument } from '@mailbus/directory';
import { RpcDomainError } from '@mailbus/service-runtime';

type Owner = AddressClaimDocument['owner'];

/**
 * A claim whose owner does not (yet) list the address is only taken over after this long: a creator
 * claims first and inserts its document right after, and must not lose the claim in between. A claim
 * left behind by a crash between the two blocks its address for this long, no longer.
 */
const UNCONFIRMED_CLAIM_GRACE_MS = 60_000;

/**
 * Makes an address belong to one owner without transactions: the claim document's _id is the address,
 * so the unique _id index decides between concurrent writers. Owners claim before they store the
 * address and release after they dropped it; a stale claim (owner gone or no longer listing the
 * address) is taken over with a compare-and-swap.
 */
@Injectable()
export class AddressClaims {
  static readonly indexes: IndexSpec[] = [];
  private readonly claims: Collection<AddressClaimDocument>;

  constructor(@Inject(MONGO_DB) private readonly db: Db) {
    this.claims = db.collection<AddressClaimDocument>(DirectoryCollections.addressClaims);
  }

  /**
   * Claims every address or none: on a conflict the ones claimed here are released again and a 409
   * names the address and its owner. Claiming an address the owner already holds is a no-op.
   * @returns the addresses newly claimed here: only these may be released if the caller's write fails
   */
  async claimAll({ namespace, addressKeys, owner }: { namespace: AddressNamespace; addressKeys: string[]; owner: Owner }): Promise<string[]> {
    const taken: string[] = [];
    try {
      for (const addressKey of addressKeys) {
        if (await this.claim({ namespace, addressKey, owner })) taken.push(addressKey);
      }
      return taken;
    } catch (error) {
      await this.releaseAll({ namespace, addressKeys: taken, owner });
      throw error;
    }
  }

  /** Releases only claims this owner holds; safe to repeat. */
  async releaseAll({ namespace, addressKeys, owner }: { namespace: AddressNamespace; addressKeys: string[]; owner: Owner }): Promise<void> {
    if (addressKeys.length === 0) return;
    await this.claims.deleteMany({ _id: { $in: addressKeys.map((addressKey) => addressClaimId({ namespace, addressKey })) }, 'owner.kind': owner.kind, 'owner.id': owner.id });
  }

  /** @returns true when newly claimed, false when the owner already held it */
  private async claim({ namespace, addressKey, owner }: { namespace: AddressNamespace; addressKey: string; owner: Owner }): Promise<boolean> {
    const _id = addressClaimId({ namespace, addressKey });
    try {
      await this.claims.insertOne({ _id, namespace, addressKey, owner, claimedAt: new Date() });
      return true;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const existing = await this.claims.findOne({ _id });
    if (!existing) return this.claim({ namespace, addressKey, owner }); // released in between
    if (existing.owner.kind === owner.kind && existing.owner.id === owner.id) return false;
    if (Date.now() - existing.claimedAt.getTime() < UNCONFIRMED_CLAIM_GRACE_MS || (await this.ownerHolds(existing))) {
      throw RpcDomainError.conflict(`${addressKey} already belongs to ${existing.owner.kind} ${existing.owner.id}`);
    }
    const replaced = await this.claims.replaceOne({ _id, 'owner.kind': existing.owner.kind, 'owner.id': existing.owner.id, claimedAt: existing.claimedAt }, { namespace, addressKey, owner, claimedAt: new Date() });
    if (replaced.modifiedCount === 0) return this.claim({ namespace, addressKey, owner }); // someone else took it over first
    return true;
  }

  private async ownerHolds({ owner, addressKey }: AddressClaimDocument): Promise<boolean> {
    switch (owner.kind) {
      case 'user':
        return (await this.db.collection<UserDocument>(DirectoryCollections.users).countDocuments({ _id: owner.id, addressKeys: addressKey }, { limit: 1 })) > 0;
      case 'group':
        return (await this.db.collection<GroupDocument>(DirectoryCollections.groups).countDocuments({ _id: owner.id, addressKey }, { limit: 1 })) > 0;
      case 'account':
        return (await this.db.collection<AccountDocument>(DirectoryCollections.accounts).countDocuments({ _id: owner.id, emailKey: addressKey, deletedAt: { $exists: false } }, { limit: 1 })) > 0;
    }
  }
}
