import type { AttachmentCommon } from 'mailparser';
import type { ParsedAttachment } from './parsed-message.types';

/** Extensions for generated file names; anything else falls back to the subtype or `.bin`. */
const EXTENSIONS: Record<string, string> = {
  'message/rfc822': 'eml',
  'message/global': 'eml',
  'text/calendar': 'ics',
  'text/plain': 'txt',
  'text/html': 'html',
  'application/pdf': 'pdf',
  'application/octet-stream': 'bin',
  'image/jpeg': 'jpg',
  'message/delivery-status': 'txt',
  'message/disposition-notification': 'txt',
  'text/rfc822-headers': 'txt',
};

const generatedFilename = (index: number, contentType: string): string => {
  const subtype = contentType.split('/')[1] ?? '';
  const extension = EXTENSIONS[contentType] ?? (/^[a-z0-9]{1,8}$/.test(subtype) ? subtype : 'bin');
  return `attachment-${index + 1}.${extension}`;
};

/**
 * The record of one attachment as mailparser emitted it. Shared by parseMessage and openAttachment so that
 * both describe the same part the same way. A part is inline when it is meant to be shown inside the body:
 * Content-Disposition inline, or a Content-ID inside multipart/related (an embedded image).
 */
export const describeAttachment = ({ attachment, index, size }: { attachment: AttachmentCommon; index: number; size: number }): ParsedAttachment => {
  const contentType = (attachment.contentType || 'application/octet-stream').toLowerCase();
  const filename = attachment.filename?.trim() || generatedFilename(index, contentType);
  return {
    index,
    filename,
    contentType,
    size,
    ...(attachment.cid ? { contentId: attachment.cid } : {}),
    inline: attachment.contentDisposition === 'inline' || attachment.related === true,
    ...(attachment.partId ? { partPath: attachment.partId } : {}),
  };
};
