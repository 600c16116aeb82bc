import { createHash } from 'node:crypto';
import type { MailAddressView } from '@mailbus/contracts';
import type { MessageDocument, MessageSource } from './message.document';

/** A copy's id in the record's copyRelocations and in spam events: 16 hex digits of its fetch key. */
export const copyIdOf = (fetchKey: string): string => createHash('sha256').update(fetchKey).digest('hex').slice(0, 16);

/** One copy of a mail on the server as a user sees it; `copyId` is absent for the record's own. */
export interface MessageCopyView {
  copyId?: string;
  fetchKey: string;
  source: MessageSource;
  blobId: string;
  size: number;
  headers: Array<{ key: string; value: string }>;
  bcc: MailAddressView[];
}

type CopySource = Pick<MessageDocument, 'fetchKey' | 'source' | 'blobId' | 'size' | 'headers' | 'bcc' | 'copies' | 'copyRelocations'>;

/**
 * The copy a delivery was made from (its fetchKey): the user reads its headers and raw bytes, and
 * their spam mark moves it. The record's own copy for a delivery without one, made from the record's
 * fetch, or from a copy that was never kept apart (one in the same place, a redelivery).
 * @example deliveredCopy(message, { fetchKey: message.copies[0].fetchKey }).headers // the second recipient's trace headers
 */
export function deliveredCopy(message: CopySource, delivery?: { fetchKey?: string }): MessageCopyView {
  const own: MessageCopyView = { fetchKey: message.fetchKey, source: message.source, blobId: message.blobId, size: message.size, headers: message.headers, bcc: message.bcc };
  const copy = delivery?.fetchKey === undefined || delivery.fetchKey === message.fetchKey ? undefined : message.copies?.find(({ fetchKey }) => fetchKey === delivery.fetchKey);
  if (!copy) return own;
  const { fetchKey, blobId, size, headers, bcc, ...place } = copy;
  const copyId = copyIdOf(fetchKey);
  return {
    copyId,
    fetchKey,
    source: message.copyRelocations?.[copyId]?.source ?? place,
    // A copy kept before its bytes were: the record's are the nearest there is.
    blobId: blobId ?? own.blobId,
    size: size ?? own.size,
    headers: headers ?? own.headers,
    bcc: bcc ?? own.bcc,
  };
}

/** Every place of the mail on the server, the record's own first, where write-backs last moved them. */
export function serverPlaces(message: Pick<MessageDocument, 'source' | 'copies' | 'copyRelocations'>): Array<{ copyId?: string; source: MessageSource }> {
  const copies = (message.copies ?? []).map(({ fetchKey, protocol, folder, folderRole, uidValidity, uid, uidl }) => {
    const copyId = copyIdOf(fetchKey);
    const place: MessageSource = { protocol, folder, folderRole, ...(uidValidity !== undefined ? { uidValidity } : {}), ...(uid !== undefined ? { uid } : {}), ...(uidl !== undefined ? { uidl } : {}) };
    return { copyId, source: message.copyRelocations?.[copyId]?.source ?? place };
  });
  return [{ source: message.source }, ...copies];
}

/** The same message on the server: a fetch of a place the record already knows is no new copy. */
export function sameServerPlace(a: MessageSource, b: MessageSource): boolean {
  return a.protocol === b.protocol && a.folder === b.folder && a.uidValidity === b.uidValidity && a.uid === b.uid && a.uidl === b.uidl;
}
