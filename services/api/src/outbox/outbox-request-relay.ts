import { Injectable, Logger } from '@nestjs/common';
import { OUTBOX_REQUEST_BLOB_PREFIX, SmtpSenderRpc, type OutboxItemView } from '@mailbus/contracts';
import { BlobStore, blobId, newId } from '@mailbus/mongo-dal';
import { RpcClient } from '../rpc/rpc-client';

/** A request up to this size goes inside the NATS message; NATS refuses more than max_payload (1 MiB by default), and framing adds to it. */
const INLINE_REQUEST_MAX_BYTES = 512 * 1024;
/** Reading, composing and storing tens of MiB takes seconds on a busy store: more than RPC_TIMEOUT_MS allows. */
const LARGE_REQUEST_RPC_TIMEOUT_MS = 60_000;

/**
 * Hands an outbox request to smtp-sender: inline when it fits one NATS message, else as a blob that
 * smtp-sender reads (OutboxRequestReference). The blob is this call's own and deleted once smtp-sender
 * answered or failed to; one that a crash of the api in between leaves behind goes with ShortLivedBlobSweeper.
 */
@Injectable()
export class OutboxRequestRelay {
  private readonly logger = new Logger(OutboxRequestRelay.name);

  constructor(
    private readonly rpc: RpcClient,
    private readonly blobs: BlobStore,
  ) {}

  async create(request: Record<string, unknown>): Promise<OutboxItemView> {
    const json = Buffer.from(JSON.stringify(request));
    if (json.length <= INLINE_REQUEST_MAX_BYTES) return this.rpc.request({ subject: SmtpSenderRpc.createOutboxItem, payload: request });
    const id = blobId(`${OUTBOX_REQUEST_BLOB_PREFIX}${newId()}`);
    await this.blobs.putBytes({ id, bytes: json, metadata: { kind: 'outbox-request' } });
    try {
      return await this.rpc.request({ subject: SmtpSenderRpc.createOutboxItem, payload: { requestBlobId: id }, timeoutMs: LARGE_REQUEST_RPC_TIMEOUT_MS });
    } finally {
      await this.blobs.delete(id).catch((error: Error) => this.logger.warn({ msg: 'outbox request blob not deleted', blobId: id, err: error }));
    }
  }
}
