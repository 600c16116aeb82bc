import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBadRequestResponse, ApiBearerAuth, ApiBody, ApiHeader, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiPayloadTooLargeResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { SmtpSenderRpc, type OutboxItemView } from '@mailbus/contracts';
import { Roles } from '../auth/roles.decorator';
import { IdParams, errorExample } from '../common.dto';
import { RpcClient } from '../rpc/rpc-client';
import { OutboxRequestRelay } from './outbox-request-relay';
import { CreateOutboxDto, outboxItemExample } from './outbox.dto';

@ApiTags('outbox')
@ApiBearerAuth()
@Roles('app')
@Controller('v1/outbox')
export class OutboxController {
  constructor(
    private readonly rpc: RpcClient,
    private readonly requests: OutboxRequestRelay,
  ) {}

  @Post()
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Queue a mail for sending',
    description: "With `userId` the sender account is chosen by FlowFact's rules: the account whose address is `from`, else the user's default From, else the first account the user owns; the user must own it or be an allowed sender. Without `userId` it is system mail and `accountId` names the account.",
  })
  @ApiBody({ type: CreateOutboxDto, examples: { user: { value: { userId: 'q7Yc2tVfS9uN3r1HkXo0bA', to: ['max.kunde@example.org'], subject: 'Ihr Exposé', text: 'Guten Tag Herr Kunde, …', attachments: [{ filename: 'Exposé.pdf', contentType: 'application/pdf', contentBase64: 'JVBERi0xLjQK…' }] } }, system: { value: { accountId: 'K2pX9vQ1rT8uW3yZ5aB7cD', to: ['orders@example.org'], subject: 'Bestellung 4711', text: '…' } } } })
  @ApiAcceptedResponse({ schema: { example: outboxItemExample } })
  @ApiBadRequestResponse(errorExample('validation_failed', 'to: needs at least one recipient', [{ path: 'to', message: 'needs at least one recipient' }]))
  @ApiUnprocessableEntityResponse(errorExample('unprocessable', 'user q7Yc… may not send with account K2p… (not_allowed)'))
  @ApiPayloadTooLargeResponse(errorExample('payload_too_large', 'the request body is 70000000 bytes; at most 67108864 bytes are accepted here'))
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'Repeating a request (after a timeout or a 503) with the same key answers the first request’s item instead of sending the mail twice. Per user, or per account for system mail.' })
  create(@Body() body: CreateOutboxDto, @Headers('idempotency-key') idempotencyKey?: string): Promise<OutboxItemView> {
    return this.requests.create(idempotencyKey ? { ...body, idempotencyKey } : { ...body });
  }

  @Get(':id')
  @ApiOperation({ summary: 'Status of an outbox item: queued, sending, sent, retrying or failed, with attempts, the last SMTP answer, the Message-ID and the chosen account' })
  @ApiOkResponse({ schema: { example: outboxItemExample } })
  @ApiNotFoundResponse(errorExample('not_found', 'outbox item Vb3k… does not exist'))
  get(@Param() { id }: IdParams): Promise<OutboxItemView> {
    return this.rpc.request({ subject: SmtpSenderRpc.getOutboxItem, payload: { id } });
  }
}
