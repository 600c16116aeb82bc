import type { BlobId } from '../ids';

/**
 * Another writer holds the upload of this blob (it did not finish within the wait), or this writer
 * lost its claim while uploading. Transient: retry later (nak with a delay).
 */
export class BlobBusyError extends Error {
  constructor(
    readonly blobId: BlobId,
    detail: string,
  ) {
    super(`blob ${blobId} is busy: ${detail}`);
    this.name = 'BlobBusyError';
  }
}
