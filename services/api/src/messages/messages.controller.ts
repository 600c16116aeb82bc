import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBearerAuth, ApiBody, ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { MessageRouterRpc, type AttachmentLocationView, type MessageDeletionView, type MessagePageView, type SpamMarkView, type MessageSummaryView, type MessageView, type MessageViewReply, type RawLocationView } from '@mailbus/contracts';
import { Roles } from '../auth/roles.decorator';
import { IdParams, errorExample } from '../common.dto';
import { RpcClient } from '../rpc/rpc-client';
import { MessageBodies } from './message-bodies';
import { MessageContentService } from './message-content.service';
import { AttachmentParams, ListMessagesQueryDto, MessageIdParams, MessageUserBodyDto, MessageUserQueryDto, MessageUserRequiredQueryDto, messageExample, summaryExample } from './messages.dto';

/** The read API (SPEC §4): message-router answers the queries; raw bytes and attachments stream from the store. */
@ApiTags('messages')
@ApiBearerAuth()
@Roles('app')
@Controller('v1')
export class MessagesController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly content: MessageContentService,
    private readonly bodies: MessageBodies,
  ) {}

  @Get('users/:id/messages')
  @ApiOperation({ summary: "A user's folder, newest first", description: 'Pass `nextCursor` of a page as `cursor` for the next one; mail arriving meanwhile never shifts a page. Admins read unmatched mail as the user `unassigned`, folder `unassigned`.' })
  @ApiOkResponse({ schema: { example: { messages: [summaryExample], nextCursor: 'MTc2NDQ5MDQ0MzAwMC5kOGE3…' } } })
  @ApiBadRequestResponse(errorExample('validation_failed', 'folder: must be one of inbox, spam, sent, trash, unassigned', [{ path: 'folder', message: 'must be one of inbox, spam, sent, trash, unassigned' }]))
  list(@Param() { id }: IdParams, @Query() query: ListMessagesQueryDto): Promise<MessagePageView> {
    return this.rpc.request({ subject: MessageRouterRpc.listUserMessages, payload: { ...query, userId: id } });
  }

  @Get('messages/:id')
  @ApiOperation({ summary: 'One message: headers, text, sanitised HTML (remote content disabled, see htmlHasRemoteContent), attachments, invitation, thread id', description: 'With `userId`, the user’s delivery (folder, read flag) is included, the headers are those of the copy it was made from (a multidrop mailbox keeps one per recipient), and 404 when the message was not delivered to that user.' })
  @ApiOkResponse({ schema: { example: messageExample } })
  @ApiNotFoundResponse(errorExample('not_found', 'message m3f0c… does not exist'))
  @ApiServiceUnavailableResponse(errorExample('service_unavailable', 'message m3f0c… is being routed; ask again in a moment'))
  async get(@Param() { id }: MessageIdParams, @Query() { userId }: MessageUserQueryDto): Promise<MessageView> {
    return this.bodies.complete(await this.rpc.request<MessageViewReply>({ subject: MessageRouterRpc.getMessage, payload: { messageId: id, ...(userId ? { userId } : {}) } }));
  }

  @Get('messages/:id/raw')
  @ApiOperation({
    summary: 'The message exactly as the mail server sent it (message/rfc822)',
    description: 'With `userId`, the copy the user’s delivery was made from (a multidrop mailbox keeps one per recipient, with that recipient’s trace headers), and 404 when the message was not delivered to that user.',
  })
  @ApiProduces('message/rfc822')
  @ApiOkResponse({ description: 'The raw bytes, streamed' })
  @ApiNotFoundResponse(errorExample('not_found', 'message m3f0c… does not exist'))
  @ApiServiceUnavailableResponse(errorExample('service_unavailable', 'message m3f0c… is being routed; ask again in a moment'))
  async raw(@Param() { id }: MessageIdParams, @Query() { userId }: MessageUserQueryDto, @Res() response: Response): Promise<void> {
    const location = await this.rpc.request<RawLocationView>({ subject: MessageRouterRpc.locateRaw, payload: { messageId: id, ...(userId ? { userId } : {}) } });
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

  @Post('messages/:id/spam')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Mark as spam: the delivery moves to the user’s spam folder now, the message to the server’s Junk folder soon', description: 'The server move follows asynchronously (spam.marked → spam-feedback → spam.moved, same requestId). POP3 accounts have no server folders: only the delivery moves.' })
  @ApiBody({ type: MessageUserBodyDto, examples: { spam: { value: { userId: 'q7Yc2tVfS9uN3r1HkXo0bA' } } } })
  @ApiAcceptedResponse({ schema: { example: { messageId: 'm3f0c9a1d2e4b5c6d7e8f90a1b2c3d4e5', userId: 'q7Yc2tVfS9uN3r1HkXo0bA', spam: true, folder: 'spam', requestId: 'spam.marked:Zb3kT1uVxQ2yR8sW4nM6pA' } } })
  @ApiNotFoundResponse(errorExample('not_found', 'message m3f0c… was not delivered to user q7Yc…'))
  @ApiConflictResponse(errorExample('conflict', 'message m3f0c… is deleted for user q7Yc…'))
  markSpam(@Param() { id }: MessageIdParams, @Body() { userId }: MessageUserBodyDto): Promise<SpamMarkView> {
    return this.rpc.request({ subject: MessageRouterRpc.markSpam, payload: { messageId: id, userId, spam: true } });
  }

  @Post('messages/:id/not-spam')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({ summary: 'Not spam: the delivery goes back to the inbox now, the message out of the server’s Junk folder soon' })
  @ApiBody({ type: MessageUserBodyDto, examples: { notSpam: { value: { userId: 'q7Yc2tVfS9uN3r1HkXo0bA' } } } })
  @ApiAcceptedResponse({ schema: { example: { messageId: 'm3f0c9a1d2e4b5c6d7e8f90a1b2c3d4e5', userId: 'q7Yc2tVfS9uN3r1HkXo0bA', spam: false, folder: 'inbox', requestId: 'spam.marked:Q1wE2rT3yU4iO5pA6sD7fG' } } })
  @ApiNotFoundResponse(errorExample('not_found', 'message m3f0c… was not delivered to user q7Yc…'))
  markNotSpam(@Param() { id }: MessageIdParams, @Body() { userId }: MessageUserBodyDto): Promise<SpamMarkView> {
    return this.rpc.request({ subject: MessageRouterRpc.markSpam, payload: { messageId: id, userId, spam: false } });
  }

  @Delete('messages/:id')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Delete the user’s delivery (to trash); the last user’s deletion deletes the message on the mail server', description: '`scope: server` when every delivery of the message is deleted: IMAP UID EXPUNGE, or POP3 DELE for accounts that leave mail on the server. Deleting again answers the same.' })
  @ApiOkResponse({ schema: { example: { messageId: 'm3f0c9a1d2e4b5c6d7e8f90a1b2c3d4e5', userId: 'q7Yc2tVfS9uN3r1HkXo0bA', folder: 'trash', scope: 'server' } } })
  @ApiNotFoundResponse(errorExample('not_found', 'message m3f0c… was not delivered to user q7Yc…'))
  delete(@Param() { id }: MessageIdParams, @Query() { userId }: MessageUserRequiredQueryDto): Promise<MessageDeletionView> {
    return this.rpc.request({ subject: MessageRouterRpc.deleteMessage, payload: { messageId: id, userId } });
  }
}
