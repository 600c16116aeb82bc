import { RpcDomainError } from '@mailbus/service-runtime';
import type { UsersRepository } from './users.repository';

/** A reference to a user that does not exist is a 400 on the field that names it. */
export async function assertUsersExist({ users, ids, path }: { users: UsersRepository; ids: readonly string[]; path: string }): Promise<void> {
  const missing = new Set(await users.missing(ids));
  if (missing.size === 0) return;
  throw RpcDomainError.invalid(ids.flatMap((id, index) => (missing.has(id) ? [{ path: `${path}.${index}`, message: `no user with id ${id}` }] : [])));
}
