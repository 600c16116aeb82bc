import { createHash } from 'node:crypto';
import type { ImapFlow } from 'imapflow';

/** A message due for retention whose only proof of being stored is a link made by a guess: it may go once its bytes are the linked record's. */
export interface CopyToCheck {
  uid: number;
  /** The link's fetch key. */
  linkId: string;
  /** Of the linked record's stored bytes. */
  sha256: string;
  size: number;
}

export interface CopyCheckResult {
  /** The same bytes as the record: they may go. */
  same: number[];
  /** Other bytes: another message that only looked like the stored one. */
  differ: CopyToCheck[];
  /** Left for a later run by the budget. */
  waiting: number;
  /** The server gave no bytes (gone meanwhile, or withheld): they stay, and are checked again next run. */
  unread: number;
}

/** Downloads one account run may spend on checks; what is left waits for the next run, so a rebuilt folder of gigabytes is checked over several runs. */
export const COPY_CHECKS_PER_RUN = { messages: 100, bytes: 100 * 1024 * 1024 } as const;

/** How many checks are left in this account run, shared by its folders. */
export class CopyCheckBudget {
  private messages: number;
  private bytes: number;
  private spent = false;

  constructor(limits: { messages: number; bytes: number } = COPY_CHECKS_PER_RUN) {
    this.messages = limits.messages;
    this.bytes = limits.bytes;
  }

  /** Takes one download of `size` bytes, or says it must wait. One larger than the whole byte budget goes as a run's first, or it would never be checked. */
  take(size: number): boolean {
    if (this.messages <= 0 || (this.spent && size > this.bytes)) return false;
    this.messages -= 1;
    this.bytes -= size;
    this.spent = true;
    return true;
  }
}

/**
 * Whether each copy is the stored message: the sha256 of its bytes on the server against the
 * record's. IMAP has no portable content hash, so the bytes are downloaded (BODY.PEEK[], in chunks:
 * \Seen stays as it is, and a large message is never held in memory). Runs in the selected folder.
 */
export async function checkCopies({ client, copies, budget }: { client: ImapFlow; copies: CopyToCheck[]; budget: CopyCheckBudget }): Promise<CopyCheckResult> {
  const result: CopyCheckResult = { same: [], differ: [], waiting: 0, unread: 0 };
  for (const copy of copies) {
    if (!budget.take(copy.size)) {
      result.waiting += 1;
      continue;
    }
    const sha256 = await serverSha256({ client, uid: copy.uid });
    if (sha256 === undefined) result.unread += 1;
    else if (sha256 === copy.sha256) result.same.push(copy.uid);
    else result.differ.push(copy);
  }
  return result;
}

async function serverSha256({ client, uid }: { client: ImapFlow; uid: number }): Promise<string | undefined> {
  try {
    const { content } = await client.download(String(uid), undefined, { uid: true });
    if (!content) return undefined;
    const hash = createHash('sha256');
    for await (const chunk of content as AsyncIterable<Buffer>) hash.update(chunk);
    return hash.digest('hex');
  } catch (error) {
    if (!client.usable) throw error;
    return undefined;
  }
}
