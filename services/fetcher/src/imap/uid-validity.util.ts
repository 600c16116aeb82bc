/**
 * UIDVALIDITY may change when a mailbox is rebuilt; it must not keep changing. Three changes within
 * a day mean the server (or a proxy in front of several) is not keeping its promise, and re-linking
 * again and again risks duplicates: the folder is parked (rule 4, after EmailEngine and Nylas).
 */
export const UIDVALIDITY_FLAPPING = { changes: 3, windowMs: 24 * 60 * 60_000 };

/** `changes`: the times UIDVALIDITY was seen to change, the newest last. */
export function isFlapping(changes: Date[], now = changes.at(-1)?.getTime() ?? 0): boolean {
  return changes.filter((at) => now - at.getTime() <= UIDVALIDITY_FLAPPING.windowMs).length >= UIDVALIDITY_FLAPPING.changes;
}
