import type { ImapFlow } from 'imapflow';
import { createImapFolder } from './create-imap-folder';
import { searchMessageId, withImapFolder } from './locate-imap-message';

export interface AppendImapMessageOnceInput {
  folder: string;
  raw: Buffer;
  /** Without angle brackets (with them works too). */
  messageIdHeader: string;
  /** Flags besides \Seen, which every appended copy gets. */
  flags?: string[];
  createIfMissing?: boolean;
}

export interface AppendImapMessageOnceResult {
  uidValidity?: number;
  uid?: number;
  alreadyPresent: boolean;
  created: boolean;
}

/** UIDVALIDITY and the UIDs with this Message-ID in `folder`; undefined when the folder cannot be selected. */
async function findIn(client: ImapFlow, { folder, messageIdHeader }: { folder: string; messageIdHeader: string }): Promise<{ uidValidity: number; uids: number[] } | undefined> {
  const found = await withImapFolder(client, folder, async (uidValidity) => ({ uidValidity, uids: await searchMessageId(client, messageIdHeader) }));
  return found?.value;
}

/**
 * Appends the raw bytes to `folder` with \Seen unless a message with the same Message-ID is there
 * already, so a retry after a crash between APPEND and recording it stores no second copy. Creates
 * the folder when it is missing and `createIfMissing` is set. The UID comes from APPENDUID, else
 * from a Message-ID search after the append. Call without holding an imapflow mailbox lock.
 * @example await appendImapMessageOnce(client, { folder: sent.path, raw, messageIdHeader: 'abc@example.com', createIfMissing: true })
 */
export async function appendImapMessageOnce(client: ImapFlow, input: AppendImapMessageOnceInput): Promise<AppendImapMessageOnceResult> {
  const { folder, raw, messageIdHeader } = input;
  let created = false;
  let before = await findIn(client, { folder, messageIdHeader });
  if (!before) {
    if (!input.createIfMissing) throw new Error(`the IMAP folder ${folder} does not exist (or cannot be selected)`);
    created = (await createImapFolder(client, { path: folder })).created;
    before = await findIn(client, { folder, messageIdHeader });
    if (!before) throw new Error(`the IMAP folder ${folder} cannot be selected after creating it`);
  }
  const present = before.uids[0];
  if (present !== undefined) return { uidValidity: before.uidValidity, uid: present, alreadyPresent: true, created };

  const flags = ['\\Seen', ...(input.flags ?? []).filter((flag) => flag.toLowerCase() !== '\\seen')];
  const appended = await client.append(folder, raw, flags);
  if (!appended) throw new Error(`IMAP APPEND to ${folder} failed`);
  if (appended.uid !== undefined && appended.uidValidity !== undefined) return { uidValidity: Number(appended.uidValidity), uid: appended.uid, alreadyPresent: false, created };
  // No APPENDUID: the newest message with this Message-ID is the one just appended.
  const after = await findIn(client, { folder, messageIdHeader });
  return { uidValidity: after?.uidValidity, uid: after?.uids.at(-1), alreadyPresent: false, created };
}
