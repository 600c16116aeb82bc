import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadGatewayResponse,
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { FetcherRpc, RegistryRpc, type AccountView, type ConnectionTestView, type FolderView, type Page, type SyncStatusView } from '@mailbus/contracts';
import { IdParams, ListQueryDto, PAGE_DESCRIPTION, errorExample } from '../common.dto';
import { RpcClient } from '../rpc/rpc-client';
import { FolderLists } from './folder-lists';
import { MAIL_SERVER_RPC_TIMEOUT_MS } from './mail-server-rpc-timeout';
import { CreateAccountDto, SetCheckpointsDto, TestSettingsDto, UpdateAccountDto } from './accounts.dto';
import { accountExample, connectionTestExample, createAccountExample, foldersExample, multidropAccountExample, syncStatusExample } from './accounts.examples';


@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Needs an admin token' })
@ApiTags('accounts')
@Controller('v1/accounts')
export class AccountsController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly folderLists: FolderLists,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Create a mail account (receive over IMAP or POP3, send over SMTP)',
    description: 'Passwords are write-only: encrypted at rest and shown only as `passwordSet`. Port 0 means the protocol default for the security. Settings that could never work are refused with 422 and the reason.',
  })
  @ApiBody({ type: CreateAccountDto, examples: { imap: { value: createAccountExample }, multidrop: { summary: 'A POP3 catch-all mailbox routed by envelope recipient', value: multidropAccountExample } } })
  @ApiCreatedResponse({ schema: { example: accountExample } })
  @ApiBadRequestResponse(errorExample('validation_failed', 'receive.port: must be between 0 (protocol default) and 65535; owners: needs at least one owner', [{ path: 'receive.port', message: 'must be between 0 (protocol default) and 65535' }, { path: 'owners', message: 'needs at least one owner' }]))
  @ApiConflictResponse(errorExample('conflict', 'sales@example.com already belongs to account K2p…'))
  @ApiUnprocessableEntityResponse(errorExample('unprocessable', 'receive: port 993 is IMAP over implicit TLS; use security "tls"'))
  create(@Body() body: CreateAccountDto): Promise<AccountView> {
    return this.rpc.request({ subject: RegistryRpc.createAccount, payload: body });
  }

  @Get()
  @ApiOperation({ summary: 'List accounts by id; pass `next` of a page as `after` for the following one', description: PAGE_DESCRIPTION })
  @ApiOkResponse({ schema: { example: { items: [accountExample], next: 'K2pV9xR4tY6uI8oP0aS2dF' } } })
  list(@Query() query: ListQueryDto): Promise<Page<AccountView>> {
    return this.rpc.request({ subject: RegistryRpc.listAccounts, payload: query });
  }

  @Post('test')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Test settings before saving them: logs in to the receive and/or send server', description: 'Per side `ok` or an error class (dns, connect, tls, auth, protocol, timeout) with the server’s own text; `busy` when mailbus’s own connections held every slot of the IMAP/POP3 host (HOST_CONNECTION_CAP) for the whole wait.' })
  @ApiBody({ type: TestSettingsDto, examples: { both: { value: { receive: createAccountExample.receive, send: createAccountExample.send } } } })
  @ApiOkResponse({ schema: { example: connectionTestExample } })
  testSettings(@Body() body: TestSettingsDto): Promise<ConnectionTestView> {
    return this.rpc.request({ subject: RegistryRpc.testSettings, payload: body, timeoutMs: MAIL_SERVER_RPC_TIMEOUT_MS });
  }

  @Get(':id')
  @ApiOkResponse({ schema: { example: accountExample } })
  @ApiNotFoundResponse(errorExample('not_found', 'no account with id K2p…'))
  get(@Param() { id }: IdParams): Promise<AccountView> {
    return this.rpc.request({ subject: RegistryRpc.getAccount, payload: { id } });
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change an account', description: 'Nested objects merge field by field, arrays are replaced, `null` removes an optional field (a whole side, a password). The result is validated as a whole. A change of a side’s server or login (receive: protocol, host, port, security, username; send: host, port, security, username) must give that side’s password again (or `null`): a stored password is only sent where it was given for (422 otherwise).' })
  @ApiBody({ type: UpdateAccountDto, examples: { password: { value: { receive: { password: 'new-app-password' } } }, folders: { value: { receive: { folders: ['INBOX', 'Sent'] } } }, disable: { value: { serviceEnabled: false } } } })
  @ApiOkResponse({ schema: { example: accountExample } })
  @ApiUnprocessableEntityResponse(errorExample('unprocessable', 'POP3 has a single mailbox: receive.folders must be ["INBOX"]'))
  update(@Param() { id }: IdParams, @Body() body: UpdateAccountDto): Promise<AccountView> {
    return this.rpc.request({ subject: RegistryRpc.updateAccount, payload: { id, patch: body } });
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete an account: it is no longer fetched or used for sending; stored mail stays' })
  @ApiNoContentResponse()
  async delete(@Param() { id }: IdParams): Promise<void> {
    await this.rpc.request({ subject: RegistryRpc.deleteAccount, payload: { id } });
  }

  @Post(':id/test')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Log in with the saved settings', description: 'Per side `ok` or an error class (dns, connect, tls, auth, protocol, timeout) with the server’s own text; `busy` when mailbus’s own connections held every slot of the IMAP/POP3 host (HOST_CONNECTION_CAP) for the whole wait. Bounded in time.' })
  @ApiOkResponse({ schema: { example: connectionTestExample } })
  test(@Param() { id }: IdParams): Promise<ConnectionTestView> {
    return this.rpc.request({ subject: RegistryRpc.testAccount, payload: { id }, timeoutMs: MAIL_SERVER_RPC_TIMEOUT_MS });
  }

  @Get(':id/folders')
  @ApiOperation({ summary: 'The IMAP folder list with special-use flags, to pick folders to sync' })
  @ApiOkResponse({ schema: { example: foldersExample } })
  @ApiUnprocessableEntityResponse(errorExample('unprocessable', 'POP3 has no folders: only IMAP accounts have a folder list'))
  @ApiBadGatewayResponse(errorExample('upstream_failed', 'auth: [AUTHENTICATIONFAILED] Authentication failed.'))
  @ApiServiceUnavailableResponse(errorExample('service_unavailable', 'all 3 connection slots of imap.example.com stayed in use by mailbus for 15000 ms (HOST_CONNECTION_CAP); try again shortly'))
  folders(@Param() { id }: IdParams): Promise<FolderView[]> {
    return this.folderLists.list(id);
  }

  @Get(':id/status')
  @ApiOperation({ summary: 'What the fetcher knows: state, last and next run, last error, per-folder UIDVALIDITY and last UID' })
  @ApiOkResponse({ schema: { example: syncStatusExample } })
  async status(@Param() { id }: IdParams): Promise<SyncStatusView> {
    await this.rpc.request({ subject: RegistryRpc.getAccount, payload: { id } });
    return this.rpc.request({ subject: FetcherRpc.getSyncStatus, payload: { accountId: id } });
  }

  @Post(':id/sync')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Fetch now: the account is due at once and runs within a second unless a run is in progress' })
  @ApiOkResponse({ schema: { example: syncStatusExample } })
  async syncNow(@Param() { id }: IdParams): Promise<SyncStatusView> {
    await this.rpc.request({ subject: RegistryRpc.getAccount, payload: { id } });
    return this.rpc.request({ subject: FetcherRpc.syncNow, payload: { accountId: id } });
  }

  @Patch(':id/status')
  @ApiOperation({ summary: 'Set a folder’s last fetched UID (rarely needed): the next run fetches the UIDs above it' })
  @ApiBody({ type: SetCheckpointsDto, examples: { refetch: { value: { folders: [{ path: 'INBOX', lastUid: 4700 }] } } } })
  @ApiOkResponse({ schema: { example: syncStatusExample } })
  async setStatus(@Param() { id }: IdParams, @Body() body: SetCheckpointsDto): Promise<SyncStatusView> {
    await this.rpc.request({ subject: RegistryRpc.getAccount, payload: { id } });
    return this.rpc.request({ subject: FetcherRpc.setFolderCheckpoints, payload: { accountId: id, ...body } });
  }
}
