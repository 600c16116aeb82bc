import { Module, type DynamicModule } from '@nestjs/common';
import { BlobStore, MongoModule } from '@mailbus/mongo-dal';
import { ServiceRuntimeModule } from '@mailbus/service-runtime';
import type { SmtpSenderConfig } from './config/smtp-sender.config';
import { OutboxRepository } from './outbox/outbox.repository';
import { OutboxRpcController } from './outbox/outbox.rpc-controller';
import { OutboxService } from './outbox/outbox.service';
import { SenderDirectoryReader } from './outbox/sender-directory.reader';

@Module({})
export class AppModule {
  static forRoot(config: SmtpSenderConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot({ service: 'smtp-sender', config }), MongoModule.forFeature([OutboxRepository, BlobStore])],
      controllers: [OutboxRpcController],
      providers: [SenderDirectoryReader, OutboxService],
    };
  }
}
