import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RegistryRpc, listQuerySchema, type AccountView, type ConnectionTestView, type FolderListReply, type GroupView, type Page, type UserView } from '@mailbus/contracts';
import { RpcDependencyFailureFilter, parseRpcInput } from '@mailbus/service-runtime';
import { AccountsService } from './accounts/accounts.service';
import { ConnectionTestService } from './connection/connection-test.service';
import { GroupsService } from './groups/groups.service';
import { UsersService } from './users/users.service';

type ById = { id: string };
type Patch = ById & { patch: unknown };

/**
 * The api's request/reply calls. Payloads are validated again here (NATS is a boundary too); wrong
 * requests answer with an RpcErrorBody, which the api turns into 400/404/409/422.
 */
@UseFilters(RpcDependencyFailureFilter)
@Controller()
export class RegistryRpcController {
  constructor(
    private readonly users: UsersService,
    private readonly groups: GroupsService,
    private readonly accounts: AccountsService,
    private readonly connections: ConnectionTestService,
  ) {}

  @MessagePattern(RegistryRpc.createUser)
  createUser(@Payload() input: unknown): Promise<UserView> {
    return this.users.create(input);
  }

  @MessagePattern(RegistryRpc.getUser)
  getUser(@Payload() { id }: ById): Promise<UserView> {
    return this.users.get(id);
  }

  @MessagePattern(RegistryRpc.listUsers)
  listUsers(@Payload() query: unknown): Promise<Page<UserView>> {
    return this.users.list(parseRpcInput(listQuerySchema, query));
  }

  @MessagePattern(RegistryRpc.updateUser)
  updateUser(@Payload() { id, patch }: Patch): Promise<UserView> {
    return this.users.update(id, patch);
  }

  @MessagePattern(RegistryRpc.deleteUser)
  async deleteUser(@Payload() { id }: ById): Promise<{ deleted: true }> {
    await this.users.delete(id);
    return { deleted: true };
  }

  @MessagePattern(RegistryRpc.createGroup)
  createGroup(@Payload() input: unknown): Promise<GroupView> {
    return this.groups.create(input);
  }

  @MessagePattern(RegistryRpc.getGroup)
  getGroup(@Payload() { id }: ById): Promise<GroupView> {
    return this.groups.get(id);
  }

  @MessagePattern(RegistryRpc.listGroups)
  listGroups(@Payload() query: unknown): Promise<Page<GroupView>> {
    return this.groups.list(parseRpcInput(listQuerySchema, query));
  }

  @MessagePattern(RegistryRpc.updateGroup)
  updateGroup(@Payload() { id, patch }: Patch): Promise<GroupView> {
    return this.groups.update(id, patch);
  }

  @MessagePattern(RegistryRpc.deleteGroup)
  async deleteGroup(@Payload() { id }: ById): Promise<{ deleted: true }> {
    await this.groups.delete(id);
    return { deleted: true };
  }

  @MessagePattern(RegistryRpc.createAccount)
  createAccount(@Payload() input: unknown): Promise<AccountView> {
    return this.accounts.create(input);
  }

  @MessagePattern(RegistryRpc.getAccount)
  getAccount(@Payload() { id }: ById): Promise<AccountView> {
    return this.accounts.get(id);
  }

  @MessagePattern(RegistryRpc.listAccounts)
  listAccounts(@Payload() query: unknown): Promise<Page<AccountView>> {
    return this.accounts.list(parseRpcInput(listQuerySchema, query));
  }

  @MessagePattern(RegistryRpc.updateAccount)
  updateAccount(@Payload() { id, patch }: Patch): Promise<AccountView> {
    return this.accounts.update(id, patch);
  }

  @MessagePattern(RegistryRpc.deleteAccount)
  async deleteAccount(@Payload() { id }: ById): Promise<{ deleted: true }> {
    await this.accounts.delete(id);
    return { deleted: true };
  }

  @MessagePattern(RegistryRpc.testAccount)
  testAccount(@Payload() { id }: ById): Promise<ConnectionTestView> {
    return this.connections.testAccount(id);
  }

  @MessagePattern(RegistryRpc.testSettings)
  testSettings(@Payload() input: unknown): Promise<ConnectionTestView> {
    return this.connections.testSettings(input);
  }

  @MessagePattern(RegistryRpc.listFolders)
  listFolders(@Payload() { id }: ById): Promise<FolderListReply> {
    return this.connections.listFolders(id);
  }
}
