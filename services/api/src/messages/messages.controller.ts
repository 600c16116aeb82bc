import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBadRequestResponse, ApiBearerAuth, ApiBody, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { MessageRouterRpc, type AttachmentLocationView, type MessagePageView, type MessageSummaryView, type MessageView, type RawLocationView } from '@mailbus/contracts';
import { Roles } from '../auth/roles.decorator';
import { IdParams, errorExample } from '../common.dto';
import { RpcClient } from '../rpc/rpc-client';
import { MessageContentService } from './message-content.service';
import { AttachmentParams, ListMessagesQueryDto, MessageIdParams, MessageUserBodyDto, MessageUserQueryDto, messageExample, summaryExample } from './messages.dto';

/** The read API (SPEC §4): message-router answers the queries; raw bytes and attachments stream from the store. */
@ApiTags('messages')
@ApiBearerAuth()
@Roles('app')
@Controller('v1')
export class MessagesController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly content: MessageContentService,
  ) {}

  @Get('users/:id/messages')
  @ApiOperation({ summary: "A user's folder, newest first", description: 'Pass `nextCursor` of a page as `cursor` for the next one; mail arriving meanwhile never shifts a page. Admins read unmatched mail as the user `unassigned`, folder `unassigned`.' })
  @ApiOkResponse({ schema: { example: { messages: [summaryExample], nextCursor: 'MTc2NDQ5MDQ0MzAwMC5kOGE3…' } } })
  @ApiBadRequestResponse(errorExample('validation_failed', 'folder: must be one of inbox, spam, sent, trash, unassigned', [{ path: 'folder', message: 'must be one of inbox, spam, sent, trash, unassigned' }]))
  list(@Param() { id }: IdParams, @Query() query: ListMessagesQueryDto): Promise<MessagePageView> {
    return this.rpc.request({ subject: MessageRouterRpc.listUserMessages, payload: { ...query, userId: id } });
  }

  @Get('messages/:id')
  @ApiOperation({ summary: 'One message: headers, text, sanitised HTML (remote content disabled, see htmlHasRemoteContent), attachments, invitation, thread id', description: 'With `userId`, the user’s delivery (folder, read flag) is included, and 404 when the message was not delivered to that user.' })
  @ApiOkResponse({ schema: { example: messageExample } })
  @ApiNotFoundResponse(errorExample('not_found', 'message m3f0c… does not exist'))
  get(@Param() { id }: MessageIdParams, @Query() { userId }: MessageUserQueryDto): Promise<MessageView> {
    return this.rpc.request({ subject: MessageRouterRpc.getMessage, payload: { messageId: id, ...(userId ? { userId } : {}) } });
  }

  @Get('messages/:id/raw')
  @ApiOperation({ summary: 'The message exactly as the mail server sent it (message/rfc822)' })
  @ApiProduces('message/rfc822')
  @ApiOkResponse({ description: 'The raw bytes, streamed' })
  @ApiNotFoundResponse(errorExample('not_found', 'message m3f0c… does not exist'))
  async raw(@Param() { id }: MessageIdParams, @Res() response: Response): Promise<void> {
    const location = await this.rpc.request<RawLocationView>({ subject: MessageRouterRpc.locateRaw, payload: { messageId: id } });
    await this.content.sendRaw({ location, response });
  }

  @Get('messages/:id/attachments/:index')
  @ApiOperation({ summary: 'One attachment, decoded, with its Content-Type and filename', description: '`index` is the attachment’s index in GET /v1/messages/:id.' })
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({ description: 'The attachment bytes, streamed' })
  @ApiNotFoundResponse(errorExample('not_found', 'message m3f0c… has no attachment 3 (it has 1)'))
  async attachment(@Param() { id, index }: AttachmentParams, @Res() response: Response): Promise<void> {
    const location = await this.rpc.request<AttachmentLocationView>({ subject: MessageRouterRpc.locateAttachment, payload: { messageId: id, index } });
    await this.content.sendAttachment({ location, response });
  }

  @Post('messages/:id/read')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Mark the user's delivery read" })
  @ApiBody({ type: MessageUserBodyDto, examples: { read: { value: { userId: 'q7Yc2tVfS9uN3r1HkXo0bA' } } } })
  @ApiOkResponse({ schema: { example: { ...summaryExample, read: true } } })
  markRead(@Param() { id }: MessageIdParams, @Body() { userId }: MessageUserBodyDto): Promise<MessageSummaryView> {
    return this.rpc.request({ subject: MessageRouterRpc.setRead, payload: { messageId: id, userId, read: true } });
  }

  @Post('messages/:id/unread')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Mark the user's delivery unread" })
  @ApiBody({ type: MessageUserBodyDto, examples: { unread: { value: { userId: 'q7Yc2tVfS9uN3r1HkXo0bA' } } } })
  @ApiOkResponse({ schema: { example: summaryExample } })
  markUnread(@Param() { id }: MessageIdParams, @Body() { userId }: MessageUserBodyDto): Promise<MessageSummaryView> {
    return this.rpc.request({ subject: MessageRouterRpc.setRead, payload: { messageId: id, userId, read: false } });
  }
}
