import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { OUTBOX_REQUEST_BLOB_PREFIX } from '@mailbus/contracts';
import { BlobStore } from '@mailbus/mongo-dal';

/** Far beyond a large request's RPC (60 s): a blob this old has no request waiting on it. */
export const OUTBOX_REQUEST_BLOB_MAX_AGE_MS = 15 * 60_000;
const SWEEP_INTERVAL_MS = 10 * 60_000;

/**
 * Deletes the outbox request blobs (OutboxRequestRelay) that an api process left behind when it died
 * between storing one and smtp-sender's answer: up to 64 MiB each, they would otherwise stay forever.
 * Every api replica sweeps; deleting is idempotent.
 */
@Injectable()
export class OutboxRequestBlobSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRequestBlobSweeper.name);
  private timer?: NodeJS.Timeout;

  constructor(private readonly blobs: BlobStore) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep().catch((error: Error) => this.logger.warn({ msg: 'outbox request blobs not swept', err: error })), SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** @returns how many stale request blobs went */
  async sweep(now = new Date()): Promise<number> {
    const deleted = await this.blobs.deleteStale({ idPrefix: OUTBOX_REQUEST_BLOB_PREFIX, before: new Date(now.getTime() - OUTBOX_REQUEST_BLOB_MAX_AGE_MS) });
    if (deleted > 0) this.logger.log({ msg: 'stale outbox request blobs deleted', deleted });
    return deleted;
  }
}
