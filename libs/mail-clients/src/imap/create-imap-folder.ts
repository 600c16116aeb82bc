import type { ImapFlow } from 'imapflow';

export type CreatableSpecialUse = '\\Sent' | '\\Junk' | '\\Trash' | '\\Drafts' | '\\Archive';

/** imapflow's internal command runner, typed as far as CREATE … (USE (…)) needs it. */
interface ImapExec {
  exec(command: string, attributes: unknown[]): Promise<{ next(): void }>;
}

/** Plain ASCII names need no modified UTF-7 and no quoting rules beyond what the ATOM compiler does. */
const isPlainName = (path: string): boolean => /^[A-Za-z0-9 _.\-/]+$/.test(path);

const responseText = (error: unknown): string => String((error as { response?: unknown } | undefined)?.response ?? '');

/**
 * CREATE with the special use (RFC 6154 CREATE-SPECIAL-USE), when the server has it and the name is
 * plain ASCII; false when the server refuses it (the caller then creates the folder plainly).
 * imapflow's mailboxCreate cannot pass USE, so this goes through its internal exec().
 */
async function createWithSpecialUse(client: ImapFlow, { path, specialUse }: { path: string; specialUse: CreatableSpecialUse }): Promise<{ created: boolean } | false> {
  try {
    const response = await (client as unknown as ImapExec).exec('CREATE', [{ type: 'ATOM', value: path }, [{ type: 'ATOM', value: 'USE' }, [{ type: 'ATOM', value: specialUse }]]]);
    response.next();
  } catch (error) {
    if (/ALREADYEXISTS/i.test(responseText(error))) return { created: false };
    if (!client.usable) throw error;
    return false;
  }
  await client.mailboxSubscribe(path);
  return { created: true };
}

/**
 * Creates and subscribes a folder, with its special use where the server supports
 * CREATE-SPECIAL-USE, else plainly. `created` is false when it existed already.
 */
export async function createImapFolder(client: ImapFlow, { path, specialUse }: { path: string; specialUse?: CreatableSpecialUse }): Promise<{ created: boolean }> {
  if (specialUse && client.capabilities.has('CREATE-SPECIAL-USE') && isPlainName(path)) {
    const special = await createWithSpecialUse(client, { path, specialUse });
    if (special) return special;
  }
  const { created } = await client.mailboxCreate(path);
  return { created };
}
