import { Injectable, Logger } from '@nestjs/common';
import { RegistryRpc, type FolderListReply, type FolderView } from '@mailbus/contracts';
import { BlobStore, blobId } from '@mailbus/mongo-dal';
import { RpcClient } from '../rpc/rpc-client';
import { MAIL_SERVER_RPC_TIMEOUT_MS } from './mail-server-rpc-timeout';

/**
 * An IMAP account's folder list from account-registry, which hands a list larger than one NATS reply
 * over as a blob (FolderListReply): read here whole (a few MiB for tens of thousands of folders) and
 * deleted; one a crash leaves behind goes with the api's ShortLivedBlobSweeper.
 */
@Injectable()
export class FolderLists {
  private readonly logger = new Logger(FolderLists.name);

  constructor(
    private readonly rpc: RpcClient,
    private readonly blobs: BlobStore,
  ) {}

  async list(accountId: string): Promise<FolderView[]> {
    const reply = await this.rpc.request<FolderListReply>({ subject: RegistryRpc.listFolders, payload: { id: accountId }, timeoutMs: MAIL_SERVER_RPC_TIMEOUT_MS });
    if (Array.isArray(reply)) return reply;
    const id = blobId(reply.folderListBlobId);
    try {
      return JSON.parse((await this.blobs.readBytes(id)).toString('utf8')) as FolderView[];
    } finally {
      await this.blobs.delete(id).catch((error: Error) => this.logger.warn({ msg: 'folder list blob not deleted', blobId: id, err: error }));
    }
  }
}
