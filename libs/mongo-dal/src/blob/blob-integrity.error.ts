import type { BlobId } from '../ids';

/** A stored blob does not match its files document (missing or extra chunk, wrong size, wrong sha256). Not transient. */
export class BlobIntegrityError extends Error {
  constructor(
    readonly blobId: BlobId,
    detail: string,
  ) {
    super(`blob ${blobId} is corrupt: ${detail}`);
    this.name = 'BlobIntegrityError';
  }
}
