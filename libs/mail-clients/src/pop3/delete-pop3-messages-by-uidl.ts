import { matchUidls } from './match-uidls.util';
import type { Pop3Client } from './pop3.client';

/**
 * Marks the messages with these UIDLs for deletion: UIDL maps them to this session's message
 * numbers, then DELE each one found. Nothing is deleted until the caller QUITs (RFC 1939 UPDATE
 * state); closing without QUIT keeps them all. UIDLs the server does not list come back as missing.
 * @example const { deleted, missing } = await deletePop3MessagesByUidl(client, ['00000001a1b2c3d4']); await client.quit();
 */
export async function deletePop3MessagesByUidl(client: Pop3Client, uidls: string[]): Promise<{ deleted: string[]; missing: string[] }> {
  if (uidls.length === 0) return { deleted: [], missing: [] };
  const { found, missing } = matchUidls({ listing: await client.uidl(), uidls });
  await client.deleMany(found.map(({ number }) => number));
  return { deleted: found.map(({ uid }) => uid), missing };
}
