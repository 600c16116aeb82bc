/**
 * A promise that is awaited later (a read started ahead of its turn): its rejection is handled
 * there, and must not be reported as unhandled before then.
 */
export function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
