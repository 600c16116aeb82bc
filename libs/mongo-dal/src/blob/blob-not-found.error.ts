import type { BlobId } from '../ids';

/** No complete blob with this id exists (never written, deleted, or its upload has not finished). */
export class BlobNotFoundError extends Error {
  constructor(readonly blobId: BlobId) {
    super(`blob ${blobId} not found`);
    this.name = 'BlobNotFoundError';
  }
}
