import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { SmtpSenderRpc, createOutboxSchema, entityIdField, type OutboxItemView } from '@mailbus/contracts';
import { parseRpcInput } from '@mailbus/service-runtime';
import { OutboxService } from './outbox.service';

@Controller()
export class OutboxRpcController {
  constructor(private readonly outbox: OutboxService) {}

  @MessagePattern(SmtpSenderRpc.createOutboxItem)
  create(@Payload() payload: unknown): Promise<OutboxItemView> {
    return this.outbox.create(parseRpcInput(createOutboxSchema, payload));
  }

  @MessagePattern(SmtpSenderRpc.getOutboxItem)
  get(@Payload() payload: unknown): Promise<OutboxItemView> {
    return this.outbox.get(parseRpcInput(z.object({ id: entityIdField }), payload).id);
  }
}
