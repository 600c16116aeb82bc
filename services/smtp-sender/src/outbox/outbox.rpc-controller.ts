import { Controller, UseFilters } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { z } from 'zod';
import { SmtpSenderRpc, createOutboxSchema, entityIdField, outboxRequestReferenceSchema, type OutboxItemView } from '@mailbus/contracts';
import { BlobNotFoundError, BlobStore, blobId } from '@mailbus/mongo-dal';
import { RpcDomainError, RpcDependencyFailureFilter, parseRpcInput } from '@mailbus/service-runtime';
import { OutboxService } from './outbox.service';

@UseFilters(RpcDependencyFailureFilter)
@Controller()
export class OutboxRpcController {
  constructor(
    private readonly outbox: OutboxService,
    private readonly blobs: BlobStore,
  ) {}

  /** The request inline, or by reference when it was too large for one NATS message (the api owns and deletes that blob). */
  @MessagePattern(SmtpSenderRpc.createOutboxItem)
  async create(@Payload() payload: unknown): Promise<OutboxItemView> {
    const reference = outboxRequestReferenceSchema.safeParse(payload);
    const request = reference.success ? await this.storedRequest(reference.data.requestBlobId) : payload;
    return this.outbox.create(parseRpcInput(createOutboxSchema, request));
  }

  @MessagePattern(SmtpSenderRpc.getOutboxItem)
  get(@Payload() payload: unknown): Promise<OutboxItemView> {
    return this.outbox.get(parseRpcInput(z.object({ id: entityIdField }), payload).id);
  }

  private async storedRequest(id: string): Promise<unknown> {
    try {
      return JSON.parse((await this.blobs.readBytes(blobId(id))).toString('utf8'));
    } catch (error) {
      // Gone: the api gave up waiting and deleted it; its client was answered 503 and repeats the request.
      if (error instanceof BlobNotFoundError) throw RpcDomainError.unavailable(`outbox request ${id} is gone; send it again`);
      throw error;
    }
  }
}
