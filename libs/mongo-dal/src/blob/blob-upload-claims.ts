import type { Collection } from 'mongodb';
import { newId, type BlobId } from '../ids';
import { isDuplicateKeyError, isOnlyDuplicateKeyErrors } from '../repository/duplicate-key.util';

export interface BlobClaimDocument {
  _id: BlobId;
  token: string;
  expiresAt: Date;
}

/**
 * Leases on blob ids, one document per upload in progress. GridFS writes chunks before its files
 * document, so "chunks without a files document" means either a crashed upload (delete them) or one
 * still running (leave them alone); the claim tells the two apart. No TTL index (FerretDB 1.x has
 * none): a claim is deleted when its upload ends, and an expired one is taken over by the next writer.
 */
export class BlobUploadClaims {
  constructor(
    private readonly claims: Collection<BlobClaimDocument>,
    private readonly leaseMs: number,
  ) {}

  /** The new claim's token, or null while another writer's claim is alive. */
  async tryAcquire(id: BlobId): Promise<string | null> {
    const token = newId();
    try {
      await this.claims.insertOne({ _id: id, token, expiresAt: this.expiry() });
      return token;
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
    }
    const takenOver = await this.claims.findOneAndUpdate({ _id: id, expiresAt: { $lte: new Date() } }, { $set: { token, expiresAt: this.expiry() } });
    return takenOver ? token : null;
  }

  /**
   * tryAcquire for many ids in one write, all under one token. Ids with a live claim are left out
   * (the caller goes through put() for them, which waits or takes an expired claim over).
   * @returns the ids now claimed
   */
  async tryAcquireMany(ids: BlobId[], { token, expiresAt }: { token: string; expiresAt: Date }): Promise<Set<BlobId>> {
    if (ids.length === 0) return new Set();
    try {
      await this.claims.insertMany(ids.map((id) => ({ _id: id, token, expiresAt })), { ordered: false });
    } catch (error) {
      if (!isOnlyDuplicateKeyErrors(error)) throw error;
      const taken = (await this.claims.find({ _id: { $in: ids }, token }, { projection: { _id: 1 } }).toArray()).map(({ _id }) => _id);
      return new Set(taken);
    }
    return new Set(ids);
  }

  async releaseMany({ ids, token }: { ids: BlobId[]; token: string }): Promise<void> {
    if (ids.length > 0) await this.claims.deleteMany({ _id: { $in: ids }, token });
  }

  /** Extends the lease; false when the claim expired and another writer took it over. */
  async renew({ id, token }: { id: BlobId; token: string }): Promise<boolean> {
    return (await this.claims.updateOne({ _id: id, token }, { $set: { expiresAt: this.expiry() } })).matchedCount > 0;
  }

  async release({ id, token }: { id: BlobId; token: string }): Promise<void> {
    await this.claims.deleteOne({ _id: id, token });
  }

  private expiry(): Date {
    return new Date(Date.now() + this.leaseMs);
  }
}
