import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { FOLDER_LIST_BLOB_PREFIX, OUTBOX_REQUEST_BLOB_PREFIX } from '@mailbus/contracts';
import { BlobStore } from '@mailbus/mongo-dal';

/** Far beyond the RPCs that hand them over (60 s): a blob this old has nobody waiting on it. */
export const SHORT_LIVED_BLOB_MAX_AGE_MS = 15 * 60_000;
const SWEEP_INTERVAL_MS = 10 * 60_000;
/** Blobs that carry one RPC's request or answer past NATS max_payload, deleted by the api once used. */
const SHORT_LIVED_PREFIXES = [OUTBOX_REQUEST_BLOB_PREFIX, FOLDER_LIST_BLOB_PREFIX];

/**
 * Deletes the blobs that carry an RPC's request or answer (OutboxRequestRelay, FolderLists) when an api
 * process died before deleting its own: up to 64 MiB each, they would otherwise stay forever. Every
 * api replica sweeps; deleting is idempotent.
 */
@Injectable()
export class ShortLivedBlobSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ShortLivedBlobSweeper.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly blobs: BlobStore) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep().catch((error: Error) => this.logger.warn({ msg: 'short-lived blobs not swept', err: error })), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** @returns how many stale blobs went */
  async sweep(now = new Date()): Promise<number> {
    const before = new Date(now.getTime() - SHORT_LIVED_BLOB_MAX_AGE_MS);
    let deleted = 0;
    for (const idPrefix of SHORT_LIVED_PREFIXES) deleted += await this.blobs.deleteStale({ idPrefix, before });
    if (deleted > 0) this.logger.log({ msg: 'stale short-lived blobs deleted', deleted });
    return deleted;
  }
}
