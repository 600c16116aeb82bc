import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import {
  MessageRouterRpc,
  getMessageSchema,
  readMessageBodySchema,
  listUserMessagesSchema,
  locateAttachmentSchema,
  locateRawSchema,
  setReadSchema,
  markSpamSchema,
  deleteMessageSchema,
  type AttachmentLocationView,
  type MessageDeletionView,
  type SpamMarkView,
  type MessagePageView,
  type MessageSummaryView,
  type MessageBodySlice,
  type MessageViewReply,
  type RawLocationView,
} from '@mailbus/contracts';
import { RpcDependencyFailureFilter, parseRpcInput } from '@mailbus/service-runtime';
import { WritebackService } from '../writeback/writeback.service';
import { MessageReaderService } from './message-reader.service';

@UseFilters(RpcDependencyFailureFilter)
@Controller()
export class MessagesRpcController {
  constructor(
    private readonly reader: MessageReaderService,
    private readonly writeback: WritebackService,
  ) {}

  @MessagePattern(MessageRouterRpc.listUserMessages)
  list(@Payload() payload: unknown): Promise<MessagePageView> {
    return this.reader.list(parseRpcInput(listUserMessagesSchema, payload));
  }

  @MessagePattern(MessageRouterRpc.getMessage)
  get(@Payload() payload: unknown): Promise<MessageViewReply> {
    return this.reader.get(parseRpcInput(getMessageSchema, payload));
  }

  @MessagePattern(MessageRouterRpc.readMessageBody)
  readBody(@Payload() payload: unknown): Promise<MessageBodySlice> {
    return this.reader.readBody(parseRpcInput(readMessageBodySchema, payload));
  }

  @MessagePattern(MessageRouterRpc.locateRaw)
  locateRaw(@Payload() payload: unknown): Promise<RawLocationView> {
    return this.reader.locateRaw(parseRpcInput(locateRawSchema, payload));
  }

  @MessagePattern(MessageRouterRpc.locateAttachment)
  locateAttachment(@Payload() payload: unknown): Promise<AttachmentLocationView> {
    return this.reader.locateAttachment(parseRpcInput(locateAttachmentSchema, payload));
  }

  @MessagePattern(MessageRouterRpc.setRead)
  setRead(@Payload() payload: unknown): Promise<MessageSummaryView> {
    return this.reader.setRead(parseRpcInput(setReadSchema, payload));
  }

  @MessagePattern(MessageRouterRpc.markSpam)
  markSpam(@Payload() payload: unknown): Promise<SpamMarkView> {
    return this.writeback.markSpam(parseRpcInput(markSpamSchema, payload));
  }

  @MessagePattern(MessageRouterRpc.deleteMessage)
  delete(@Payload() payload: unknown): Promise<MessageDeletionView> {
    return this.writeback.delete(parseRpcInput(deleteMessageSchema, payload));
  }
}
