export interface ExpectEventuallyOptions {
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Retries an assertion until it passes or the time is up, then rethrows its last error.
 * Tests wait for outcomes with this, never with fixed sleeps.
 * @example await expectEventually(async () => expect(await repo.count()).toBe(1000));
 */
export async function expectEventually<T>(assertion: () => T | Promise<T>, { timeoutMs = 20_000, intervalMs = 50 }: ExpectEventuallyOptions = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await assertion();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}
