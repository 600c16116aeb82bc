const DUPLICATE_KEY_CODES = new Set([11000, 11001]);

const hasDuplicateKeyCode = (value: unknown): boolean => typeof value === 'object' && value !== null && DUPLICATE_KEY_CODES.has((value as { code?: unknown }).code as number);

/**
 * True when a write failed on a unique index (E11000), including inside a bulk write. On our
 * deterministic ids that means "already written", which idempotent writers treat as success.
 * @example try { await col.insertOne(doc); } catch (e) { if (!isDuplicateKeyError(e)) throw e; }
 */
export function isDuplicateKeyError(error: unknown): boolean {
  if (hasDuplicateKeyCode(error)) return true;
  const writeErrors = (error as { writeErrors?: unknown } | null)?.writeErrors;
  if (Array.isArray(writeErrors)) return writeErrors.some(hasDuplicateKeyCode);
  return hasDuplicateKeyCode(writeErrors);
}

/**
 * True when an unordered bulk write failed only on unique indexes: every document is then either
 * written now or there already. A bulk error that also holds another failure is false.
 */
export function isOnlyDuplicateKeyErrors(error: unknown): boolean {
  const writeErrors = (error as { writeErrors?: unknown } | null)?.writeErrors;
  const failures = Array.isArray(writeErrors) ? writeErrors : writeErrors ? [writeErrors] : [];
  return failures.length > 0 && failures.every(hasDuplicateKeyCode);
}
