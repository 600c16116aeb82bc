import type { Collection } from 'mongodb';
import { newId, type BlobId } from '../ids';
import { isDuplicateKeyError } from '../repository/duplicate-key.util';

export interface BlobClaimDocument {
  _id: BlobId;
  token: string;
  expiresAt: Date;
}

/**
 * Leases on blob ids, one document per upload in progress. GridFS writes chunks before its files
 * document, so "chunks without a files document" means either a crashed upload (delete them) or one
 * still running (leave them alone); the claim tells the two apart (for BlobStore.putMany, which takes
 * none, chunk 0's writtenAt does). No TTL index (FerretDB 1.x has none): a claim is deleted when its
 * upload ends, and an expired one is taken over by the next writer.
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
