import type { MailAddressView } from '@mailbus/contracts';
import type { MessageCopyDocument } from './message-copy.repository';
import type { MessageDocument, MessageSource } from './message.document';

/** One copy of a mail on the server as a user sees it; `copyId` (the copy's fetch key) is absent for the record's own. */
export interface MessageCopyView {
  copyId?: string;
  source: MessageSource;
  blobId: string;
  size: number;
  headers: Array<{ key: string; value: string }>;
  bcc: MailAddressView[];
}

type OwnCopy = Pick<MessageDocument, 'source' | 'blobId' | 'size' | 'headers' | 'bcc'>;

/**
 * The copy a user's delivery was made from: its headers, Bcc, bytes and place (where a spam mark
 * moved it), never another recipient's. The record's own without `copy`.
 * @example copyView(message, bensCopy).headers // Ben's Delivered-To, not Anna's
 */
export function copyView(message: OwnCopy, copy?: MessageCopyDocument | null): MessageCopyView {
  if (!copy) return { source: message.source, blobId: message.blobId, size: message.size, headers: message.headers, bcc: message.bcc };
  return { copyId: copy._id, source: copy.relocated?.source ?? copy.source, blobId: copy.blobId, size: copy.size, headers: copy.headers, bcc: copy.bcc };
}

/**
 * Every distinct place of the mail on the server, where write-backs last moved it: the record's own
 * first, then its copies (with their size, which tells copies with one Message-ID apart). A copy
 * fetched where another one already is (a synced Junk folder holding a copy a spam mark moved there)
 * is one place, deleted once. `legacy` are the places an earlier version kept in the record.
 */
export function serverPlaces({ message, copies }: { message: Pick<MessageDocument, 'source' | 'size' | 'copies'>; copies: MessageCopyDocument[] }): Array<{ copyId?: string; source: MessageSource; size?: number }> {
  const places: Array<{ copyId?: string; source: MessageSource; size?: number }> = [{ source: message.source, size: message.size }];
  const add = (place: { copyId: string; source: MessageSource; size?: number }): void => {
    if (!places.some(({ source }) => sameServerPlace(source, place.source))) places.push(place);
  };
  for (const copy of copies) add({ copyId: copy._id, source: copy.relocated?.source ?? copy.source, size: copy.size });
  for (const { fetchKey, ...source } of message.copies ?? []) add({ copyId: fetchKey, source });
  return places;
}

/** The same message on the server. */
export function sameServerPlace(a: MessageSource, b: MessageSource): boolean {
  return a.protocol === b.protocol && a.folder === b.folder && a.uidValidity === b.uidValidity && a.uid === b.uid && a.uidl === b.uidl;
}
