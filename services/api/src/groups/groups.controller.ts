import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiBody, ApiForbiddenResponse, ApiConflictResponse, ApiCreatedResponse, ApiNoContentResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RegistryRpc, type GroupView, type Page } from '@mailbus/contracts';
import { IdParams, ListQueryDto, PAGE_DESCRIPTION, errorExample } from '../common.dto';
import { RpcClient } from '../rpc/rpc-client';
import { CreateGroupDto, UpdateGroupDto, groupExample } from './groups.dto';

@ApiBearerAuth()
@ApiForbiddenResponse({ description: 'Needs an admin token' })
@ApiTags('groups')
@Controller('v1/groups')
export class GroupsController {
  constructor(private readonly rpc: RpcClient) {}

  @Post()
  @ApiOperation({ summary: 'Create a group: mail to its address reaches every member' })
  @ApiBody({ type: CreateGroupDto, examples: { team: { value: { address: 'sales@example.com', name: 'Sales team', members: ['q7Yc2tVfS9uN3r1HkXo0bA', 'R4nT6wY8zA1cE3gI5kM7oQ'] } } } })
  @ApiCreatedResponse({ schema: { example: groupExample } })
  @ApiBadRequestResponse(errorExample('validation_failed', 'members.1: no user with id R4nT…', [{ path: 'members.1', message: 'no user with id R4nT…' }]))
  @ApiConflictResponse(errorExample('conflict', 'sales@example.com already belongs to user q7Yc…'))
  create(@Body() body: CreateGroupDto): Promise<GroupView> {
    return this.rpc.request({ subject: RegistryRpc.createGroup, payload: body });
  }

  @Get()
  @ApiOperation({ summary: 'List groups by id; pass `next` of a page as `after` for the following one', description: PAGE_DESCRIPTION })
  @ApiOkResponse({ schema: { example: { items: [groupExample] } } })
  list(@Query() query: ListQueryDto): Promise<Page<GroupView>> {
    return this.rpc.request({ subject: RegistryRpc.listGroups, payload: query });
  }

  @Get(':id')
  @ApiOkResponse({ schema: { example: groupExample } })
  @ApiNotFoundResponse(errorExample('not_found', 'no group with id Zx1…'))
  get(@Param() { id }: IdParams): Promise<GroupView> {
    return this.rpc.request({ subject: RegistryRpc.getGroup, payload: { id } });
  }

  @Patch(':id')
  @ApiBody({ type: UpdateGroupDto, examples: { members: { value: { members: ['q7Yc2tVfS9uN3r1HkXo0bA'] } } } })
  @ApiOkResponse({ schema: { example: groupExample } })
  update(@Param() { id }: IdParams, @Body() body: UpdateGroupDto): Promise<GroupView> {
    return this.rpc.request({ subject: RegistryRpc.updateGroup, payload: { id, patch: body } });
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiNoContentResponse()
  async delete(@Param() { id }: IdParams): Promise<void> {
    await this.rpc.request({ subject: RegistryRpc.deleteGroup, payload: { id } });
  }
}
