import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiBody, ApiForbiddenResponse, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RegistryRpc, type Page, type UserView } from '@mailbus/contracts';
import { IdParams, ListQueryDto, PAGE_DESCRIPTION, errorExample } from '../common.dto';
import { RpcClient } from '../rpc/rpc-client';
import { CreateUserDto, UpdateUserDto, userExample } from './users.dto';

@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Needs an admin token' })
@ApiTags('users')
@Controller('v1/users')
export class UsersController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @ApiOperation({ summary: 'Create a user with the addresses that reach them', description: 'Addresses are normalised (trimmed, lower-case domain, IDN as punycode); each belongs to one user or group only.' })
  @ApiBody({ type: CreateUserDto, examples: { user: { value: { displayName: 'Anna Berger', addresses: ['anna.berger@example.com', 'a.berger@müller.de'], defaultFrom: 'anna.berger@example.com' } } } })
  @ApiCreatedResponse({ schema: { example: userExample } })
  @ApiBadRequestResponse(errorExample('validation_failed', 'addresses.0: must be an e-mail address like anna@example.com', [{ path: 'addresses.0', message: 'must be an e-mail address like anna@example.com' }]))
  @ApiConflictResponse(errorExample('conflict', 'anna.berger@example.com already belongs to user q7Yc2tVfS9uN3r1HkXo0bA'))
  create(@Body() body: CreateUserDto): Promise<UserView> {
    return this.rpc.request({ subject: RegistryRpc.createUser, payload: body });
  }

  @Get()
  @ApiOperation({ summary: 'List users by id; pass `next` of a page as `after` for the following one', description: PAGE_DESCRIPTION })
  @ApiOkResponse({ schema: { example: { items: [userExample], next: 'q7Yc2tVfS9uN3r1HkXo0bA' } } })
  list(@Query() query: ListQueryDto): Promise<Page<UserView>> {
    return this.rpc.request({ subject: RegistryRpc.listUsers, payload: query });
  }

  @Get(':id')
  @ApiOkResponse({ schema: { example: userExample } })
  @ApiNotFoundResponse(errorExample('not_found', 'no user with id q7Yc2tVfS9uN3r1HkXo0bA'))
  get(@Param() { id }: IdParams): Promise<UserView> {
    return this.rpc.request({ subject: RegistryRpc.getUser, payload: { id } });
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change a user; fields left out stay, `defaultFrom: null` removes it, `addresses` replaces the list' })
  @ApiBody({ type: UpdateUserDto, examples: { rename: { value: { displayName: 'Anna Berger-Klein' } }, addresses: { value: { addresses: ['anna.berger@example.com', 'sales@example.com'] } } } })
  @ApiOkResponse({ schema: { example: userExample } })
  @ApiConflictResponse(errorExample('conflict', 'sales@example.com already belongs to group Zx1…'))
  update(@Param() { id }: IdParams, @Body() body: UpdateUserDto): Promise<UserView> {
    return this.rpc.request({ subject: RegistryRpc.updateUser, payload: { id, patch: body } });
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Delete a user; refused (409) while the user owns accounts. The user leaves groups and senders lists.' })
  @ApiNoContentResponse()
  @ApiConflictResponse(errorExample('conflict', 'user q7Yc… owns accounts K2p…: give them another owner or delete them first'))
  async delete(@Param() { id }: IdParams): Promise<void> {
    await this.rpc.request({ subject: RegistryRpc.deleteUser, payload: { id } });
  }
}
