import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import contentDisposition from 'content-disposition';
import type { Response } from 'express';
import { pipeline } from 'node:stream/promises';
import type { AttachmentLocationView, RawLocationView } from '@mailbus/contracts';
import { AttachmentNotFoundError, openAttachment } from '@mailbus/mime';
import { BlobNotFoundError, BlobStore, blobId } from '@mailbus/mongo-dal';

/**
 * Streams raw messages and attachments from the blob store to the HTTP response. Read directly (not
 * through message-router) because a 50 MB message does not fit a NATS reply; message-router says
 * where the bytes are and whether the caller may have them.
 */
@Injectable()
export class MessageContentService {
  private readonly logger = new Logger(MessageContentService.name);

  constructor(private readonly blobs: BlobStore) {}

  async sendRaw({ location, response }: { location: RawLocationView; response: Response }): Promise<void> {
    const source = this.blobs.openReadStream(blobId(location.blobId))[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    // The first chunk tells a missing blob (404) from a stream that fails after the headers went out.
    const first = await firstChunk(source);
    response.status(200).type('message/rfc822').setHeader('Content-Disposition', downloadDisposition(location.filename));
    response.setHeader('Content-Length', String(location.size));
    await this.stream({ body: withFirst(first, source), response, what: `raw ${location.messageId}` });
  }

  async sendAttachment({ location, response }: { location: AttachmentLocationView; response: Response }): Promise<void> {
    const { attachment } = location;
    const opened = await openAttachment(this.blobs.openReadStream(blobId(location.blobId)), attachment.index).catch((error: Error) => {
      if (error instanceof AttachmentNotFoundError || error instanceof BlobNotFoundError) throw new NotFoundException(`message ${location.messageId} has no readable attachment ${attachment.index}: ${error.message}`);
      throw error;
    });
    response.status(200).type(attachment.contentType || 'application/octet-stream');
    if (attachment.filename) response.setHeader('Content-Disposition', downloadDisposition(attachment.filename));
    response.setHeader('Content-Length', String(attachment.size));
    await this.stream({ body: opened.content, response, what: `attachment ${attachment.index} of ${location.messageId}` });
  }

  private async stream({ body, response, what }: { body: NodeJS.ReadableStream | AsyncIterable<Buffer>; response: Response; what: string }): Promise<void> {
    try {
      await pipeline(body, response);
    } catch (error) {
      // Headers are out: the client sees a cut-off body (shorter than Content-Length), never a wrong one.
      this.logger.warn({ msg: 'streaming to the client failed', what, err: error });
      response.destroy();
    }
  }
}

/**
 * `filename*` (RFC 5987, UTF-8) for every name that is not plain ASCII, with an ASCII `filename`
 * beside it for old clients: a Latin-1 `filename="Exposé.pdf"` alone, which is all the library
 * writes for such names by default, is read differently by different browsers.
 */
function downloadDisposition(filename: string): string {
  const ascii = filename.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]/g, '_');
  return contentDisposition(filename, { fallback: ascii });
}

/**
 * The stream's first chunk, read through its iterator: leaving a `for await` loop after one chunk would
 * destroy the stream, and every message longer than a chunk would be cut after it.
 */
async function firstChunk(source: AsyncIterator<Buffer>): Promise<IteratorResult<Buffer>> {
  try {
    return await source.next();
  } catch (error) {
    if (error instanceof BlobNotFoundError) throw new NotFoundException(`the raw source is not in the store: ${error.message}`);
    throw error;
  }
}

/** The body: the chunk read already, then the rest of the same iterator. */
async function* withFirst(first: IteratorResult<Buffer>, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    for (let next = first; !next.done; next = await rest.next()) yield next.value;
  } finally {
    // A client that went away ends the generator early: close the blob stream too.
    await rest.return?.();
  }
}
