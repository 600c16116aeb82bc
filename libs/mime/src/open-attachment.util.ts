import { MailParser, type AttachmentStream, type MessageText } from 'mailparser';
import { PassThrough, type Readable } from 'node:stream';
import { AttachmentNotFoundError } from './attachment-not-found.error';
import { describeAttachment } from './attachment.util';
import { createLineEndNormalizer } from './line-endings.util';
import type { ParsedAttachment } from './parsed-message.types';
import { timeoutError, toMessageParseError } from './parser-error.util';
import { ATTACHMENT_ORDER_OPTIONS } from './parsing.constants';
import { type MessageSource, toReadable } from './source-stream.util';

export interface OpenedAttachment {
  /** `size` counts the bytes passed on so far; it is final once `content` has ended (the stored record has it up front). */
  attachment: ParsedAttachment;
  /** The decoded bytes of the part. Destroying it stops reading the source. */
  content: Readable;
}

/** How long finding the part may take before openAttachment gives up, unless told otherwise. */
const DEFAULT_FIND_TIMEOUT_MS = 60_000;

/**
 * Streams one attachment's decoded bytes out of the raw message, for `GET /messages/:id/attachments/:index`.
 * `index` is ParsedAttachment.index from parseMessage: both run MailParser with ATTACHMENT_ORDER_OPTIONS, so
 * the n-th attachment emitted is the same part. Parts before it are drained without buffering; the source is
 * read only as fast as `content` is consumed, and is destroyed once the part has been read (the rest of the
 * message is not parsed). Rejects with AttachmentNotFoundError for an index past the last attachment, with
 * MessageParseError when the message cannot be parsed or the part is not reached within `timeoutMs`, and with
 * the source's own error when the store fails.
 *
 * @example const { attachment, content } = await openAttachment(blobStore.openDownloadStream(blobId), 2);
 */
export const openAttachment = (source: MessageSource, index: number, { timeoutMs = DEFAULT_FIND_TIMEOUT_MS }: { timeoutMs?: number } = {}): Promise<OpenedAttachment> =>
  new Promise<OpenedAttachment>((resolve, reject) => {
    const input = toReadable(source);
    const parser = new MailParser({ ...ATTACHMENT_ORDER_OPTIONS, skipTextToHtml: true, skipImageLinks: true, skipHtmlToText: true, checksumAlgo: false });
    const lineEnds = createLineEndNormalizer();
    let seen = 0;
    let content: PassThrough | undefined;
    let finished = false;
    const stop = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      input.unpipe(lineEnds);
      for (const stream of [input, lineEnds, parser]) stream.destroy();
    };
    // Before the part is found a failure rejects; afterwards it ends the content stream with the error.
    const fail = (error: unknown): void => {
      if (finished) return;
      if (content) content.destroy(error instanceof Error ? error : new Error(String(error)));
      else reject(error);
      stop();
    };
    const timer = setTimeout(() => fail(timeoutError(timeoutMs)), timeoutMs);

    input.on('error', fail);
    lineEnds.on('error', (error) => fail(toMessageParseError(error)));
    parser.on('error', (error) => fail(toMessageParseError(error)));
    parser.on('data', (data: AttachmentStream | MessageText) => {
      if (data.type === 'text') return;
      const position = seen++;
      if (position !== index || content) {
        data.content.on('error', (error) => fail(toMessageParseError(error)));
        data.content.resume();
        data.content.once('end', () => data.release?.());
        return;
      }
      clearTimeout(timer);
      const attachment = describeAttachment({ attachment: data, index, size: 0 });
      const out = new PassThrough();
      content = out;
      data.content.on('data', (chunk: Buffer) => (attachment.size += chunk.length));
      data.content.on('error', (error) => fail(toMessageParseError(error)));
      // the rest of the message is not needed: stop reading once the part is complete or the reader went away
      data.content.once('end', () => setImmediate(stop));
      out.once('close', stop);
      data.content.pipe(out);
      resolve({ attachment, content: out });
    });
    parser.once('end', () => {
      if (!content) fail(new AttachmentNotFoundError(index, seen));
    });
    input.pipe(lineEnds).pipe(parser);
  });
