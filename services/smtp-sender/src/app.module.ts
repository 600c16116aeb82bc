import { Module, type DynamicModule } from '@nestjs/common';
import { BlobStore, MongoModule } from '@mailbus/mongo-dal';
import { HostConnectionSlots } from '@mailbus/nats-transport';
import { ServiceRuntimeModule } from '@mailbus/service-runtime';
import type { SmtpSenderConfig } from './config/smtp-sender.config';
import { ComposedMailCache } from './outbox/composed-mail.cache';
import { OutboxAttemptLeases } from './outbox/outbox-attempt-leases';
import { OutboxRepository } from './outbox/outbox.repository';
import { OutboxRpcController } from './outbox/outbox.rpc-controller';
import { OutboxService } from './outbox/outbox.service';
import { SenderDirectoryReader } from './outbox/sender-directory.reader';
import { SENDER_SECRET_BOX, SENDING_SETTINGS } from './config/sending.tokens';
import { SendAttemptService } from './sending/send-attempt.service';
import { SEND_RATE_SETTINGS, SendRateLimits } from './sending/send-rate-limits';
import { SendRequestedConsumer } from './sending/send-requested.consumer';
import { SentFolderSessions } from './sent-folder/sent-folder-sessions';
import { SentFolderAppender } from './sent-folder/sent-folder.appender';
import { SenderMetrics } from './sending/sender.metrics';
import { SmtpTransports } from './sending/smtp-transports';

@Module({})
export class AppModule {
  static forRoot(config: SmtpSenderConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot({ service: 'smtp-sender', config }), MongoModule.forFeature([OutboxRepository, BlobStore])],
      controllers: [OutboxRpcController, SendRequestedConsumer],
      providers: [
        { provide: SENDER_SECRET_BOX, useValue: config.secretBox },
        { provide: SENDING_SETTINGS, useValue: config.sending },
        { provide: SEND_RATE_SETTINGS, useValue: config.rates },
        SendRateLimits,
        HostConnectionSlots,
        SentFolderSessions,
        SentFolderAppender,
        SenderDirectoryReader,
        ComposedMailCache,
        OutboxAttemptLeases,
        OutboxService,
        SmtpTransports,
        SenderMetrics,
        SendAttemptService,
      ],
    };
  }
}
