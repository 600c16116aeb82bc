import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { RegistryRpc, entityIdField, listQuerySchema, type AccountView, type ConnectionTestView, type FolderListReply, type GroupView, type Page, type UserView } from '@mailbus/contracts';
import { RpcDependencyFailureFilter, parseRpcInput } from '@mailbus/service-runtime';
import { AccountsService } from './accounts/accounts.service';
import { ConnectionTestService } from './connection/connection-test.service';
import { GroupsService } from './groups/groups.service';
import { UsersService } from './users/users.service';

const byIdSchema = z.object({ id: entityIdField });
const patchByIdSchema = byIdSchema.extend({ patch: z.unknown() });

/** Only an id of mailbus's own shape reaches a query: never an operator object such as `{ $gt: '' }`. */
const idOf = (payload: unknown): string => parseRpcInput(byIdSchema, payload).id;
const patchOf = (payload: unknown): { id: string; patch?: unknown } => parseRpcInput(patchByIdSchema, payload);

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
  getUser(@Payload() payload: unknown): Promise<UserView> {
    return this.users.get(idOf(payload));
  }

  @MessagePattern(RegistryRpc.listUsers)
  listUsers(@Payload() query: unknown): Promise<Page<UserView>> {
    return this.users.list(parseRpcInput(listQuerySchema, query));
  }

  @MessagePattern(RegistryRpc.updateUser)
  updateUser(@Payload() payload: unknown): Promise<UserView> {
    const { id, patch } = patchOf(payload);
    return this.users.update(id, patch);
  }

  @MessagePattern(RegistryRpc.deleteUser)
  async deleteUser(@Payload() payload: unknown): Promise<{ deleted: true }> {
    await this.users.delete(idOf(payload));
    return { deleted: true };
  }

  @MessagePattern(RegistryRpc.createGroup)
  createGroup(@Payload() input: unknown): Promise<GroupView> {
    return this.groups.create(input);
  }

  @MessagePattern(RegistryRpc.getGroup)
  getGroup(@Payload() payload: unknown): Promise<GroupView> {
    return this.groups.get(idOf(payload));
  }

  @MessagePattern(RegistryRpc.listGroups)
  listGroups(@Payload() query: unknown): Promise<Page<GroupView>> {
    return this.groups.list(parseRpcInput(listQuerySchema, query));
  }

  @MessagePattern(RegistryRpc.updateGroup)
  updateGroup(@Payload() payload: unknown): Promise<GroupView> {
    const { id, patch } = patchOf(payload);
    return this.groups.update(id, patch);
  }

  @MessagePattern(RegistryRpc.deleteGroup)
  async deleteGroup(@Payload() payload: unknown): Promise<{ deleted: true }> {
    await this.groups.delete(idOf(payload));
    return { deleted: true };
  }

  @MessagePattern(RegistryRpc.createAccount)
  createAccount(@Payload() input: unknown): Promise<AccountView> {
    return this.accounts.create(input);
  }

  @MessagePattern(RegistryRpc.getAccount)
  getAccount(@Payload() payload: unknown): Promise<AccountView> {
    return this.accounts.get(idOf(payload));
  }

  @MessagePattern(RegistryRpc.listAccounts)
  listAccounts(@Payload() query: unknown): Promise<Page<AccountView>> {
    return this.accounts.list(parseRpcInput(listQuerySchema, query));
  }

  @MessagePattern(RegistryRpc.updateAccount)
  updateAccount(@Payload() payload: unknown): Promise<AccountView> {
    const { id, patch } = patchOf(payload);
    return this.accounts.update(id, patch);
  }

  @MessagePattern(RegistryRpc.deleteAccount)
  async deleteAccount(@Payload() payload: unknown): Promise<{ deleted: true }> {
    await this.accounts.delete(idOf(payload));
    return { deleted: true };
  }

  @MessagePattern(RegistryRpc.testAccount)
  testAccount(@Payload() payload: unknown): Promise<ConnectionTestView> {
    return this.connections.testAccount(idOf(payload));
  }

  @MessagePattern(RegistryRpc.testSettings)
  testSettings(@Payload() input: unknown): Promise<ConnectionTestView> {
    return this.connections.testSettings(input);
  }

  @MessagePattern(RegistryRpc.listFolders)
  listFolders(@Payload() payload: unknown): Promise<FolderListReply> {
    return this.connections.listFolders(idOf(payload));
  }
}
