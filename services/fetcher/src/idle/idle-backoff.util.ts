const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 5 * 60_000;
/** A connection that stayed up this long proves the server is fine: only then does the backoff start over (rule 31). */
export const STABLE_CONNECTION_MS = 5 * 60_000;

/**
 * Reconnect delays of an IDLE connection: 1 s, 2 s, 4 s … at most 5 min, ±20 % so that connections
 * a server dropped together do not come back together. A successful login does not reset them: a
 * server that accepts logins and then hangs up would otherwise be hammered (EmailEngine's
 * 17 logins/s); a connection that lived STABLE_CONNECTION_MS does.
 */
export function nextReconnect({ failures, livedMs, random = Math.random }: { failures: number; livedMs: number; random?: () => number }): { failures: number; delayMs: number } {
  const counted = livedMs >= STABLE_CONNECTION_MS ? 1 : failures + 1;
  const base = Math.min(FIRST_DELAY_MS * 2 ** (counted - 1), MAX_DELAY_MS);
  return { failures: counted, delayMs: Math.round(base * (0.8 + 0.4 * random())) };
}
