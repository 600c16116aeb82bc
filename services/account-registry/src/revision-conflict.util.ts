import { RpcDomainError } from '@mailbus/service-runtime';

const MAX_ATTEMPTS = 5;

/**
 * Read-modify-write with compare-and-swap on the revision: `attempt` re-reads, applies the change and
 * returns undefined when its write lost to a concurrent one; then it runs again on the fresh state.
 */
export async function withRevisionRetry<T>({ what, attempt }: { what: string; attempt: () => Promise<T | undefined> }): Promise<T> {
  for (let round = 0; round < MAX_ATTEMPTS; round += 1) {
    const result = await attempt();
    if (result !== undefined) return result;
  }
  throw RpcDomainError.conflict(`${what} is being changed by other requests right now; try again`);
}
