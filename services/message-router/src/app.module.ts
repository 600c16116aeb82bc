import { Module, type DynamicModule } from '@nestjs/common';
import { BlobStore, MongoModule } from '@mailbus/mongo-dal';
import { ServiceRuntimeModule } from '@mailbus/service-runtime';
import type { MessageRouterConfig } from './config/message-router.config';
import { DeliveryRepository } from './deliveries/delivery.repository';
import { MongoRecipientDirectory } from './directory/mongo-recipient.directory';
import { RoutingAccountReader } from './directory/routing-account.reader';
import { MessageFetchedConsumer } from './ingest/message-fetched.consumer';
import { MessageRoutingService, ROUTING_SETTINGS } from './ingest/message-routing.service';
import { MessageSentConsumer } from './ingest/message-sent.consumer';
import { DeliveredCopyFinder } from './messages/delivered-copy.finder';
import { MessageCopyRepository } from './messages/message-copy.repository';
import { MessageRepository } from './messages/message.repository';
import { RoutedMessageFinder } from './messages/routed-message.finder';
import { RouterMetrics } from './metrics/router.metrics';
import { MessageReaderService } from './read/message-reader.service';
import { MessagesRpcController } from './read/messages.rpc-controller';
import { SpamMovedConsumer } from './writeback/spam-moved.consumer';
import { WritebackRequestRepository } from './writeback/writeback-request.repository';
import { WritebackService } from './writeback/writeback.service';

@Module({})
export class AppModule {
  static forRoot(config: MessageRouterConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [ServiceRuntimeModule.forRoot({ service: 'message-router', config }), MongoModule.forFeature([MessageRepository, MessageCopyRepository, DeliveryRepository, WritebackRequestRepository, BlobStore])],
      controllers: [MessageFetchedConsumer, MessageSentConsumer, SpamMovedConsumer, MessagesRpcController],
      providers: [{ provide: ROUTING_SETTINGS, useValue: config.routing }, MongoRecipientDirectory, RoutingAccountReader, RouterMetrics, MessageRoutingService, RoutedMessageFinder, DeliveredCopyFinder, MessageReaderService, WritebackService],
    };
  }
}
