import { describe, expect, it, vi } from 'vitest';
import { RpcDomainError } from '@mailbus/service-runtime';
import type { AccountsService } from './accounts/accounts.service';
import type { ConnectionTestService } from './connection/connection-test.service';
import type { GroupsService } from './groups/groups.service';
import { RegistryRpcController } from './registry.rpc-controller';
import type { UsersService } from './users/users.service';

const services = () => ({
  users: { get: vi.fn(), update: vi.fn(), delete: vi.fn() },
  groups: { get: vi.fn(), update: vi.fn(), delete: vi.fn() },
  accounts: { get: vi.fn(), update: vi.fn(), delete: vi.fn() },
  connections: { testAccount: vi.fn(), listFolders: vi.fn() },
});

const controllerWith = (stubs: ReturnType<typeof services>) =>
  new RegistryRpcController(stubs.users as unknown as UsersService, stubs.groups as unknown as GroupsService, stubs.accounts as unknown as AccountsService, stubs.connections as unknown as ConnectionTestService);

describe(RegistryRpcController.name, () => {
  it.each([
    ['an operator object', { id: { $gt: '' } }],
    ['a number', { id: 42 }],
    ['no id', {}],
    ['an id with characters ids never have', { id: 'a.b$c' }],
  ])('should refuse %s as an id with validation_failed before any service sees it', async (_case, payload) => {
    const stubs = services();
    const sut = controllerWith(stubs);
    const calls: Array<() => Promise<unknown>> = [
      () => sut.getAccount(payload),
      () => sut.deleteAccount(payload),
      () => sut.testAccount(payload),
      () => sut.listFolders(payload),
      () => sut.updateAccount({ ...payload, patch: { name: 'x' } }),
      () => sut.getUser(payload),
      () => sut.deleteUser(payload),
      () => sut.updateUser({ ...payload, patch: {} }),
      () => sut.getGroup(payload),
      () => sut.deleteGroup(payload),
      () => sut.updateGroup({ ...payload, patch: {} }),
    ];

    for (const call of calls) {
      const refusal: unknown = await Promise.resolve()
        .then(call)
        .catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(RpcDomainError);
      expect((refusal as RpcDomainError).body.code).toBe('validation_failed');
    }
    for (const stub of Object.values(stubs).flatMap((group) => Object.values(group))) expect(stub).not.toHaveBeenCalled();
  });

  it('should hand a well-formed id and the patch to the service', async () => {
    const stubs = services();
    stubs.accounts.update.mockResolvedValue({ id: 'K2pV9x' });

    await controllerWith(stubs).updateAccount({ id: 'K2pV9x', patch: { name: 'Sales' } });

    expect(stubs.accounts.update).toHaveBeenCalledWith('K2pV9x', { name: 'Sales' });
  });
});
